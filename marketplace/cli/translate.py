"""`flask translate update|compile`: keep the German and English catalogues complete."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

translate_cli = AppGroup("translate", help="Extract, update and compile the message catalogues.")

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "marketplace" / "translations"
TEMPLATE = CATALOGUES / "messages.pot"


def _pybabel(*args: str) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args], check=True, cwd=ROOT
    )


@translate_cli.command("update")
def update() -> None:
    """Extract strings, merge them into de/ and en/, and fill English with the source text."""
    _pybabel(
        "extract",
        "-F",
        "marketplace/babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-o",
        str(TEMPLATE),
        "--no-location",
        "--sort-output",
        "--ignore-dirs",
        ".* node_modules",  # not Babel's default "_*": templates/_macros holds strings too
        ".",
    )
    for language in ("de", "en"):
        if not (CATALOGUES / language / "LC_MESSAGES" / "messages.po").exists():
            _pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOGUES), "-l", language)
    _pybabel(
        "update",
        "-i",
        str(TEMPLATE),
        "-d",
        str(CATALOGUES),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    filled = fill_english(CATALOGUES / "en" / "LC_MESSAGES" / "messages.po")
    missing = untranslated(CATALOGUES / "de" / "LC_MESSAGES" / "messages.po")
    click.echo(f"English: {filled} filled from the source text. German: {len(missing)} missing.")
    for msgid in missing[:50]:
        click.echo(f"  de missing: {msgid}")


@translate_cli.command("compile")
def compile_() -> None:
    """Compile the catalogues to .mo files (make does this before run and test)."""
    _pybabel("compile", "-d", str(CATALOGUES))


def fill_english(path: Path) -> int:
    """The source strings are English: an English entry is its own translation."""
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with path.open("wb") as fh:
        write_po(
            fh, catalogue, sort_output=True, width=0
        )  # one line per entry: diff- and grep-friendly
    return filled


def untranslated(path: Path) -> list[str]:
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale="de")
    return [
        str(m.id)
        for m in catalogue
        if m.id and (not all(m.string) if isinstance(m.string, tuple | list) else not m.string)
    ]
