// Search page behaviour: facet checkboxes follow their links (state lives in the URL),
// and the query box offers suggestions as the user types.
(function () {
  document.querySelectorAll('.facet input[type=checkbox][data-href]').forEach(function (box) {
    box.addEventListener('change', function () { window.location.href = box.dataset.href; });
  });

  var input = document.getElementById('q');
  var list = document.getElementById('suggestions');
  if (!input || !list) return;
  var timer = null, active = -1, items = [], lastQuery = '';

  function close() { list.hidden = true; list.innerHTML = ''; active = -1; items = []; input.setAttribute('aria-expanded', 'false'); }

  function choose(item) {
    if (item.url) { window.location.href = item.url; return; }
    input.value = item.text; close(); input.form.submit();
  }

  function render(suggestions) {
    list.innerHTML = ''; items = suggestions; active = -1;
    suggestions.forEach(function (item, i) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option'); li.id = 'suggestion-' + i;
      li.textContent = item.text;
      var kind = document.createElement('span'); kind.className = 'kind';
      kind.textContent = item.detail ? item.kind + ': ' + item.detail : item.kind;
      li.appendChild(kind);
      li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(item); });
      list.appendChild(li);
    });
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', suggestions.length ? 'true' : 'false');
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q.length < 2) { close(); return; }
    lastQuery = q;
    fetch(input.dataset.suggestUrl + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) { if (q === lastQuery) render(data.suggestions || []); })
      .catch(close);
  }

  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 150); });
  input.addEventListener('blur', function () { setTimeout(close, 100); });
  input.addEventListener('keydown', function (e) {
    if (list.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      list.querySelectorAll('li').forEach(function (li, i) { li.setAttribute('aria-selected', i === active ? 'true' : 'false'); });
      input.setAttribute('aria-activedescendant', 'suggestion-' + active);
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault(); choose(items[active]);
    } else if (e.key === 'Escape') {
      e.preventDefault();  // Chromium would also clear a type=search box: keep what was typed
      close();
    }
  });
})();
