"""Targets: every bench states its targets through `target()`; `python -m bench.targets` prints
them as one table at the end of `make bench`.

Each call prints a line at once (so a single bench run shows its verdicts) and appends a JSON
record to `$BENCH_DIR/targets.jsonl`. `make bench` empties that file first, so the table shows
exactly the targets of this run; a bench that crashed leaves its targets missing, which the
table says.
"""

import argparse
import json
import os
import sys
from pathlib import Path

#: Benches `make bench` runs, in order; a bench listed here that reported nothing is a failure.
EXPECTED = ("search", "web", "reports", "matching", "map", "booking", "currency")


def results_file() -> Path:
    root = Path(os.environ.get("BENCH_DIR", "/tmp/stoffwechsel-bench"))
    root.mkdir(parents=True, exist_ok=True)
    return root / "targets.jsonl"


def target(
    bench: str, name: str, figure: float, limit: float, *, at_most: bool = True, unit: str = ""
) -> bool:
    """Record that `figure` must be <= `limit` (or >= when at_most is False); return whether
    it holds."""
    holds = figure <= limit if at_most else figure >= limit
    record = {
        "bench": bench,
        "name": name,
        "figure": round(float(figure), 3),
        "limit": limit,
        "op": "<=" if at_most else ">=",
        "unit": unit,
        "holds": holds,
    }
    with results_file().open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
    verdict = "holds" if holds else "MISSED"
    print(f"target {bench}: {name} = {figure:.3f}{unit} ({record['op']} {limit}{unit}) {verdict}")
    return holds


def load() -> list[dict]:
    path = results_file()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def table(records: list[dict]) -> str:
    rows = [("bench", "target", "figure", "limit", "holds")]
    for r in records:
        rows.append(
            (
                r["bench"],
                r["name"],
                f"{r['figure']:g}{r['unit']}",
                f"{r['op']} {r['limit']:g}{r['unit']}",
                "yes" if r["holds"] else "NO",
            )
        )
    reported = {r["bench"] for r in records}
    for bench in EXPECTED:
        if bench not in reported:
            rows.append((bench, "(no figures: the bench did not finish)", "-", "-", "NO"))
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="The table of every bench target.")
    parser.add_argument("--reset", action="store_true", help="forget earlier results")
    args = parser.parse_args()
    if args.reset:
        results_file().unlink(missing_ok=True)
        return
    records = load()
    print(table(records))
    missed = sum(not r["holds"] for r in records) + len(
        set(EXPECTED) - {r["bench"] for r in records}
    )
    print(f"{len(records)} targets, {missed} missed")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
