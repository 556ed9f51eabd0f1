// Marks the page as scripted before it is drawn, so controls that need JavaScript (the
// mobile filter button) are only shown where they work, without a flash of the panel.
document.documentElement.classList.add('js');
