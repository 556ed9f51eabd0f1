"""Where the browser tests write their screenshots and PDFs, and small helpers for
viewports, languages and keyboard focus shared by the browse and accessibility tests.

Screenshots go to build/screenshots/ at the top of the checkout (ignored by git), or to
$LINTAS_SCREENSHOT_DIR when set; each test run overwrites the previous run's files."""
import os
from pathlib import Path

SCREENSHOT_DIR = Path(os.environ.get("LINTAS_SCREENSHOT_DIR")
                      or Path(__file__).resolve().parents[2] / "build" / "screenshots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 740}


def shot_path(name):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / name


def use_language(page, base_url, code):
    """What the ID / EN switch leaves behind: the language cookie, for every later page."""
    page.context.add_cookies([{"name": "django_language", "value": code, "url": base_url}])


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, cls: el.className, outlineStyle: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow, focusVisible: el.matches(':focus-visible')};
}"""


def focus_is_visible(page):
    """The focused element shows a focus ring (an outline of at least 2 px or a shadow)."""
    style = page.evaluate(FOCUS_STYLE)
    assert style is not None, "nothing has focus"
    visible = style["focusVisible"] and ((style["outlineStyle"] != "none" and style["outlineWidth"] >= 2)
                                          or style["boxShadow"] not in ("", "none"))
    assert visible, style
    return style


def tab_until(page, selector, limit=80):
    """Press Tab until the focused element matches `selector`; returns the presses needed."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector}")
