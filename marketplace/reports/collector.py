"""Rendering without Python's cyclic garbage collector (pure: neither Flask nor the database).

WeasyPrint builds some hundred thousand boxes for a report (the demo's photos: matplotlib's
artists); while they grow, the collector walks them (and every object the process holds) again and
again: about a quarter of a report's rendering time. Their few cycles wait for the next collection
after the block (a report's PDF: under 2 MB more at its peak)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
