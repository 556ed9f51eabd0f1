// Small screens: the facets fold behind the "Filter (n)" button and open as a panel above
// the results. The stylesheet decides when the panel folds (narrow screens only); this
// script only opens and closes it and moves focus so keyboard users never lose their place.
(function () {
  var toggle = document.querySelector('[data-filter-toggle]');
  var panel = document.querySelector('.facets-panel');
  if (!toggle || !panel) return;
  panel.id = toggle.getAttribute('aria-controls');
  panel.setAttribute('data-collapsible', '');
  panel.setAttribute('tabindex', '-1');

  var close = document.createElement('button');
  close.type = 'button';
  close.className = 'facet-panel-close link';
  close.textContent = toggle.dataset.closeLabel;  // translated in the template
  panel.insertBefore(close, panel.firstChild);

  function setOpen(open, focusTarget) {
    panel.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (focusTarget) focusTarget.focus();
  }

  toggle.addEventListener('click', function () {
    var opening = !panel.classList.contains('open');
    setOpen(opening, opening ? (panel.querySelector('input, a') || panel) : null);
  });
  close.addEventListener('click', function () { setOpen(false, toggle); });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && panel.classList.contains('open')) { e.preventDefault(); setOpen(false, toggle); }
  });
})();
