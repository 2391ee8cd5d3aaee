"""What a search needs of one index segment, loaded once and kept while the segment lives:
column arrays, bitsets (Python ints, bit d = document d) per column value and per term, filter
masks, and per-term BM25 impacts. whoosh reads postings and columns one value at a time; here
they are read block by block."""

import bisect
import sys
from array import array
from collections import OrderedDict
from collections.abc import Callable

from whoosh.reading import TermNotFound

from marketplace.search.schema import FLOAT_COLUMNS, INT_COLUMNS, STRING_COLUMNS


class SegmentArrays:
    """What a search needs of one segment, loaded once and kept while the segment lives:
    per-document column values, bitsets (Python ints, bit d = document d) per column value
    and per term, and cached filter masks. Segments are immutable but for deletions, which
    only the `live` bitset reflects."""

    def __init__(self, reader):
        self.size = reader.doc_count_all()
        self.strings = {name: _string_column(reader, name, self.size) for name in STRING_COLUMNS}
        self.ints = {name: _numeric_column(reader, name, "q", self.size) for name in INT_COLUMNS}
        self.floats = {
            name: _numeric_column(reader, name, "d", self.size) for name in FLOAT_COLUMNS
        }
        self.masks: OrderedDict = OrderedDict()
        self._derived: dict = {}
        self.terms: OrderedDict = OrderedDict()
        self.impacts: OrderedDict = OrderedDict()
        self._impact_postings = 0
        self._values: dict[str, dict] = {}
        self._live: tuple[int, int] | None = None

    def derived(self, key, build: Callable[["SegmentArrays"], object]):
        """A value derived from the columns once (an order, a sum, the statuses of a day)."""
        found = self._derived.get(key)
        if found is None:
            if isinstance(key, tuple):  # (name, day): keep only the latest day's value
                for old in [k for k in self._derived if isinstance(k, tuple) and k[0] == key[0]]:
                    del self._derived[old]
            found = self._derived[key] = build(self)
        return found

    def mask(self, key, build: Callable[["SegmentArrays"], object]):
        """A filter's bitset, in a small LRU (filters vary: organisations, places...)."""
        if key in self.masks:
            self.masks.move_to_end(key)
            return self.masks[key]
        value = build(self)
        self.masks[key] = value
        if len(self.masks) > 64:
            self.masks.popitem(last=False)
        return value

    def values(self, column: str) -> dict:
        """value -> bitset of the documents holding it, for a string or int column."""
        found = self._values.get(column)
        if found is None:
            col = self.strings[column] if column in self.strings else self.ints[column]
            found = self._values[column] = bitsets_by_value(col, self.size)
        return found

    def live(self, reader) -> int:
        """Bitset of the documents not deleted."""
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        if self._live is None or self._live[0] != len(deleted):
            bits = (1 << self.size) - 1
            if deleted:
                bits &= ~bitset(deleted, self.size)
            self._live = (len(deleted), bits)
        return self._live[1]

    def term(self, reader, fieldname: str, text: str) -> int:
        """Bitset of the documents whose postings hold the term (deleted ones included)."""
        found = self.terms.get(text)
        if found is not None:
            self.terms.move_to_end(text)
            return found
        field = bytearray((self.size + 8) // 8)
        for ids, _ in _posting_blocks(reader, fieldname, text, weights=False):
            for d in ids:
                field[d >> 3] |= 1 << (d & 7)
        found = self.terms[text] = int.from_bytes(field, "little")
        if len(self.terms) > 4096:
            self.terms.popitem(last=False)
        return found

    def impact(self, reader, fieldname: str, text: str, avgdl: float) -> "Impact | None":
        """The term's BM25 contribution per posting, ordered best first (cached)."""
        found = self.impacts.get(text)
        if found is not None and abs(found.avgdl - avgdl) <= 0.02 * avgdl:
            self.impacts.move_to_end(text)
            return found
        if found is not None:
            self._impact_postings -= len(found.ids)
        found = Impact.build(_posting_blocks(reader, fieldname, text), self.ints["length"], avgdl)
        self.impacts[text] = found
        self._impact_postings += len(found.ids)
        while self._impact_postings > IMPACT_BUDGET and len(self.impacts) > 1:
            _, old = self.impacts.popitem(last=False)
            self._impact_postings -= len(old.ids)
        return found


#: BM25 parameters (whoosh's BM25F defaults).
BM25_B, BM25_K1 = 0.75, 1.2
#: Postings kept as impacts per segment (12 bytes each).
IMPACT_BUDGET = 1_500_000


class Impact:
    """A term's postings in one segment with their BM25 contributions (without idf):
    docnum-ordered `ids` and `contrib`, and `order`, the posting indexes best first."""

    __slots__ = ("ids", "contrib", "order", "avgdl")

    def __init__(self, ids: array, contrib: array, order: list[int], avgdl: float):
        self.ids, self.contrib, self.order, self.avgdl = ids, contrib, order, avgdl

    @classmethod
    def build(cls, blocks, lengths, avgdl: float) -> "Impact":
        ids, contrib = array("i"), array("f")
        k1, b = BM25_K1, BM25_B
        norm = k1 * (1 - b)
        per_length = k1 * b / (avgdl or 1.0)
        for block_ids, weights in blocks:
            ids.extend(block_ids)
            contrib.extend(
                w * (k1 + 1) / (w + norm + per_length * lengths[d])
                for d, w in zip(block_ids, weights, strict=True)
            )
        order = sorted(range(len(ids)), key=contrib.__getitem__, reverse=True)
        return cls(ids, contrib, order, avgdl)

    def get(self, docnum: int) -> float:
        i = bisect.bisect_left(self.ids, docnum)
        return self.contrib[i] if i < len(self.ids) and self.ids[i] == docnum else 0.0


def bitset(docnums, size: int) -> int:
    field = bytearray((size + 8) // 8)
    for d in docnums:
        field[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(field, "little")


def bitsets_by_value(column, size: int) -> dict:
    fields: dict = {}
    nbytes = (size + 8) // 8
    for d, value in enumerate(column):
        field = fields.get(value)
        if field is None:
            field = fields[value] = bytearray(nbytes)
        field[d >> 3] |= 1 << (d & 7)
    return {value: int.from_bytes(field, "little") for value, field in fields.items()}


def _posting_blocks(reader, fieldname: str, text: str, weights: bool = True):
    """(docnums, weights) of a term's postings block by block (whoosh's matchers go one
    posting at a time); deleted documents included."""
    try:
        matcher = reader._terms.matcher(
            fieldname, text.encode("utf-8"), reader.schema[fieldname].format
        )
    except (TermNotFound, KeyError):
        return
    except AttributeError:  # not a segment reader of the whoosh 3 codec
        matcher = reader.postings(fieldname, text)
    if hasattr(matcher, "_next_block") and hasattr(matcher, "_read_ids"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if weights and matcher._weights is None:
                matcher._read_weights()
            yield matcher._ids, (matcher._weights if weights else None)
            matcher._next_block()
        return
    ids, ws = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        ws.append(matcher.weight())
        matcher.next()
    yield ids, ws


def _string_column(reader, name: str, size: int) -> list[bytes]:
    creader = reader.column_reader(name, translate=False) if reader.has_column(name) else None
    if creader is None:
        return [b""] * size
    try:  # bulk read of the reference array (whoosh reads it one struct.unpack at a time)
        refs = array(creader._typecode)
        refs.frombytes(creader._dbfile.get(creader._basepos, size * creader._itemsize))
        if sys.byteorder == "little" and refs.itemsize > 1:
            refs.byteswap()
        uniques = creader._uniques
        return [uniques[r] for r in refs]
    except AttributeError:
        return list(creader)


def _numeric_column(reader, name: str, typecode: str, size: int) -> array:
    default = 0 if typecode == "q" else float("nan")
    creader = reader.column_reader(name, translate=False) if reader.has_column(name) else None
    if creader is None:
        return array(typecode, [default]) * size
    try:
        values = array(typecode)
        values.frombytes(creader._dbfile.get(creader._basepos, creader._count * values.itemsize))
        if sys.byteorder == "little":
            values.byteswap()
        if len(values) < size:
            values.extend(array(typecode, [default]) * (size - len(values)))
        return values
    except AttributeError:
        return array(typecode, list(creader))
