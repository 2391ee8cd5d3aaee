"""A bounded, thread-safe LRU whose entries all belong to one version of the data.

Rendered pages and fragments are kept under the version of what they show (the listing index's
generation, the day); when a reader brings a new version the whole cache is emptied, so nothing
built from older data is ever served. A value computed while the data changed is not kept.
"""

import threading
from collections.abc import Hashable

from cachetools import LRUCache


class VersionedCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._values: LRUCache = LRUCache(maxsize=size)
        self._version: Hashable = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: Hashable):
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._version = version
            value = self._values.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
            return value

    def put(self, key: Hashable, version: Hashable, value) -> None:
        with self._lock:
            if version == self._version:  # else the data changed while the value was built
                self._values[key] = value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._version = None
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._values)


def app_cache(app, family: str, size_setting: str, default_size: int, kind: str):
    """The app's VersionedCache `kind` of a family (kept in app.extensions[family]); its size is
    the setting, or `default_size` (0 under TESTING: tests change rows behind the versions'
    back); None when the size is 0."""
    size = app.config.get(size_setting)
    if size is None:
        size = 0 if app.testing else default_size
    if not size:
        return None
    caches = app.extensions.setdefault(family, {})
    cache = caches.get(kind)
    if cache is None or cache.size != size:
        cache = caches[kind] = VersionedCache(int(size))
    return cache
