"""Text cells that spreadsheets will not evaluate as formulas (CSV and XLSX exports)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str | None) -> str:
    """A text cell a spreadsheet will not evaluate: a leading quote before = + - @ tab CR, and
    before text shaped as a rich string ("<r>…</r>"), which XlsxWriter copies into the sheet's
    XML unescaped (an organisation could name itself into cells of its own)."""
    if not text:
        return ""
    if text.startswith(FORMULA_STARTS) or (text.startswith("<r>") and text.endswith("</r>")):
        return "'" + text
    return text
