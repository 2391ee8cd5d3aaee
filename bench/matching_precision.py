"""Precision of matching on the judged set: `python -m bench.matching_precision [--misses]`.

Builds a throwaway app on a temporary SQLite database and search index, adds the requests and
offers of tests/matching/judged_pairs.py, runs the candidate search (top 5) for every request
and prints, last line:

    matching_precision pairs=... requests=... precision_at_5=... recall_at_5=... shown=...
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.matching import make_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list pairs shown but not relevant")
    args = parser.parse_args()
    from tests.matching.judged_pairs import build_judged_listings, evaluate

    workdir = Path(tempfile.mkdtemp(prefix="matching-precision-"))
    try:
        app = make_app(workdir)
        from marketplace.categories.taxonomy import sync_taxonomy
        from marketplace.extensions import db

        with app.test_request_context():
            db.create_all()
            with db.engine.begin() as conn:
                sync_taxonomy(conn)
            figures = evaluate(build_judged_listings())
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.misses:
        for request, offer in figures.misses:
            print(f"shown, not relevant: {request} -> {offer}")
    print(
        f"matching_precision pairs={figures.pairs} requests={figures.requests}"
        f" precision_at_5={figures.precision_at_5:.3f} recall_at_5={figures.recall_at_5:.3f}"
        f" shown={figures.shown} requests_showing_nothing={figures.requests_showing_nothing}"
    )


if __name__ == "__main__":
    main()
