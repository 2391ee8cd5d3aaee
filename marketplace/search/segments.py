"""What a search needs of one index segment, loaded once and kept while the segment lives:
column arrays, bitsets (Python ints, bit d = document d) per column value and per term, filter
masks, and per-term BM25 impacts. whoosh reads postings and columns one value at a time; here
they are read block by block."""

import bisect
import io
import pickle
import struct
import sys
import zlib
from array import array
from collections.abc import Callable
from itertools import accumulate, repeat

import numpy as np
from cachetools import LRUCache
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
        #: Filters vary (organisations, places...): a small LRU of their bitsets.
        self.masks: LRUCache = LRUCache(maxsize=64)
        self._derived: dict = {}
        self.terms: LRUCache = LRUCache(maxsize=4096)
        #: Sized by postings; one larger than the budget is kept alone, as the last one asked.
        self.impacts: LRUCache = LRUCache(
            maxsize=IMPACT_BUDGET, getsizeof=lambda i: min(len(i.ids), IMPACT_BUDGET)
        )
        self._values: dict[str, dict] = {}
        self._live: tuple[int, int] | None = None
        self._spelling: dict[str, int] | None = None

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
        """A filter's bitset, from the LRU of masks."""
        value = self.masks.get(key)
        if value is None:
            value = self.masks[key] = build(self)
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

    def spelling(self, reader) -> dict[str, int]:
        """The segment's words of the `spell` field with their document frequencies."""
        if self._spelling is None:
            self._spelling = {
                text.decode("utf-8") if isinstance(text, bytes) else text: info.doc_frequency()
                for text, info in reader.iter_field("spell")
            }
        return self._spelling

    def term(self, reader, fieldname: str, text: str) -> int:
        """Bitset of the documents whose postings hold the term (deleted ones included)."""
        found = self.terms.get(text)
        if found is None:
            postings = _postings(reader, fieldname, text, weights=False)
            found = self.terms[text] = bitset_of_array(postings[0], self.size) if postings else 0
        return found

    def impact(self, reader, fieldname: str, text: str, avgdl: float) -> "Impact | None":
        """The term's BM25 contribution per posting, ordered best first (cached)."""
        found = self.impacts.get(text)
        if found is not None and abs(found.avgdl - avgdl) <= 0.02 * avgdl:
            return found
        docs, weights = _postings(reader, fieldname, text) or _NO_POSTINGS
        found = self.impacts[text] = Impact.build(docs, weights, self.ints["length"], avgdl)
        return found


_NO_POSTINGS = (np.empty(0, np.int32), np.empty(0, np.float64))
#: BM25 parameters (whoosh's BM25F defaults).
BM25_B, BM25_K1 = 0.75, 1.2
#: Postings kept as impacts per segment (12 bytes each).
IMPACT_BUDGET = 1_500_000


class Impact:
    """A term's postings in one segment with their BM25 contributions (without idf):
    docnum-ordered `ids` and `contrib`, and `order`, the posting indexes best first (all
    compact arrays: 12 bytes a posting; read item by item by the engine's walk)."""

    __slots__ = ("ids", "contrib", "order", "avgdl")

    def __init__(self, ids: array, contrib: array, order: array, avgdl: float):
        self.ids, self.contrib, self.order, self.avgdl = ids, contrib, order, avgdl

    @classmethod
    def build(cls, docs: np.ndarray, w: np.ndarray, lengths, avgdl: float) -> "Impact":
        k1, b = BM25_K1, BM25_B
        norm = k1 * (1 - b)
        per_length = k1 * b / (avgdl or 1.0)
        # The same float operations, in the same order, as w * (k1 + 1) / (w + norm +
        # per_length * length) per posting; stored as float32 like array("f").
        doc_lengths = np.frombuffer(lengths, np.int64)[docs].astype(np.float64)
        contrib = (w * (k1 + 1) / (w + norm + per_length * doc_lengths)).astype(np.float32)
        # Best first; a stable sort keeps equal contributions in docnum order.
        order = np.argsort(-contrib, kind="stable").astype(np.int32)
        return cls(_as_array("i", docs), _as_array("f", contrib), _as_array("i", order), avgdl)

    def get(self, docnum: int) -> float:
        i = bisect.bisect_left(self.ids, docnum)
        return self.contrib[i] if i < len(self.ids) and self.ids[i] == docnum else 0.0


def _as_array(typecode: str, values: np.ndarray) -> array:
    out = array(typecode)
    out.frombytes(values.tobytes())
    return out


def bitset_of_array(docnums: np.ndarray, size: int) -> int:
    """Bitset (bit d = document d) of an array of docnums, at C speed."""
    flags = np.zeros(size, np.bool_)
    flags[docnums] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


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


def _postings(reader, fieldname: str, text: str, weights: bool = True):
    """(docnums as int32, weights as float64 or None) of a term's postings in one segment,
    deleted documents included; None when the segment does not hold the term.

    The whoosh 3 codec's posting list is read with one file read and its blocks decoded here
    (whoosh's matcher seeks and unpickles block by block through Python file objects)."""
    try:
        terms = reader._terms
        info = terms.term_info(fieldname, text.encode("utf-8"))
        postfile = terms._postfile
    except (TermNotFound, KeyError):
        return None
    except AttributeError:  # not a segment reader of the whoosh 3 codec
        return _matched(reader.postings(fieldname, text), weights)
    if info.is_inlined():
        matcher = terms.matcher(fieldname, text.encode("utf-8"), reader.schema[fieldname].format)
        return _matched(matcher, weights)
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves struct.unpack's tuple
        length = length[0]
    return _decoded_blocks(postfile.get(offset, length), weights)


_BLOCK_MAGIC = b"W3Bl"
_BLOCK_LENGTH = struct.Struct("!i")


def _decoded_blocks(data: bytes, weights: bool):
    """The blocks of a whoosh 3 posting list (W3PostingsWriter): a magic tag, then per block
    a signed length (negative for the last), a pickled info tuple and the pickled (zlib
    compressed) data tuple: delta-coded ids, weights (None: all 1.0; a float: all equal;
    else one per posting) and values."""
    if data[:4] != _BLOCK_MAGIC:
        raise ValueError("not a whoosh 3 posting list")
    stream = io.BytesIO(data)
    # Typed arrays, not lists: no Python int or float object outlives its block.
    ids, ws = array("i"), array("d")
    pos = 4
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(data, pos)
        end = pos + _BLOCK_LENGTH.size + abs(length)
        stream.seek(pos + _BLOCK_LENGTH.size)
        count, _, _, compression, _, _ = pickle.load(stream)  # noqa: S301 - our own index
        raw = data[stream.tell() : end]
        deltas, block_weights, _ = pickle.loads(zlib.decompress(raw) if compression else raw)  # noqa: S301
        ids.extend(accumulate(deltas))
        if weights:
            if block_weights is None:
                ws.extend(repeat(1.0, count))
            elif isinstance(block_weights, float):
                ws.extend(repeat(block_weights, count))
            else:
                ws.extend(block_weights)
        if length < 0:
            break
        pos = end
    return np.frombuffer(ids, np.int32), (np.frombuffer(ws, np.float64) if weights else None)


def _matched(matcher, weights: bool):
    ids, ws = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        ws.append(matcher.weight())
        matcher.next()
    return np.array(ids, np.int32), (np.array(ws, np.float64) if weights else None)


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
