"""Moving through a page with the keyboard alone, as someone who uses no mouse."""

from playwright.sync_api import Page

MAX_TABS = 120


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching `selector` has the focus, and check it shows."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            assert page.evaluate(_FOCUS_SHOWS), f"{selector} has the focus but shows no focus ring"
            return
    raise AssertionError(
        f"{selector} is not reached by Tab within {MAX_TABS} presses on {page.url}"
    )


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page: Page, selector: str, value: str) -> None:
    """Pick an option of a <select> or a radio group with the arrow keys."""
    tab_to(page, selector)
    for _ in range(200):
        if page.evaluate("s => document.querySelector(s).value", selector.split(":")[0]) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} cannot be chosen in {selector} with the arrow keys")


# The element with the focus draws an outline or a box shadow (:focus-visible).
_FOCUS_SHOWS = """() => {
  const style = getComputedStyle(document.activeElement);
  return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
      || style.boxShadow !== 'none';
}"""
