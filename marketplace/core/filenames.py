"""Download file names that say what and which period, in the reader's language (ASCII only)."""

from datetime import date

from marketplace.core.clock import today

#: File-name words (ASCII, so not from the catalogues, where translators would write umlauts).
FILE_WORDS = {
    "de": {
        "exchanges": "uebergaben",
        "sharing": "teilen",
        "local-currency": "regionalwaehrung",
        "report": "bericht",
        "statement": "kontoauszug",
        "excel": "excel",
        "start": "anfang",
        "to": "bis",
    },
    "en": {
        "exchanges": "exchanges",
        "sharing": "sharing",
        "local-currency": "local-currency",
        "report": "report",
        "statement": "statement",
        "excel": "excel",
        "start": "start",
        "to": "to",
    },
}


def period_filename(
    what: str,
    date_from: date | None,
    date_to: date | None,
    extension: str,
    language: str,
    *,
    suffix: str = "",
    subject: str = "",
) -> str:
    """e.g. stoffwechsel-uebergaben-2026-01-01-bis-2026-12-01.csv (ASCII only); without an end,
    today; without a start, "anfang" / "start"."""
    words = FILE_WORDS.get(language, FILE_WORDS["de"])
    start = date_from.isoformat() if date_from else words["start"]
    end = (date_to or today()).isoformat()
    tail = f"-{words[suffix]}" if suffix else ""
    middle = f"-{subject}" if subject else ""
    return f"stoffwechsel-{words[what]}{middle}-{start}-{words['to']}-{end}{tail}.{extension}"
