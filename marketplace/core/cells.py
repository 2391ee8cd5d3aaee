"""Text cells that spreadsheets will not evaluate as formulas (CSV and XLSX exports)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str | None) -> str:
    """A text cell a spreadsheet will not evaluate: a leading quote before = + - @ tab CR."""
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
