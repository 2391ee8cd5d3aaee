"""Flask's signed-cookie sessions, with each cookie's check done once per process.

Flask builds a new serializer for every request and checks the cookie's signature and decodes
its JSON each time: about 80 us of a signed-in page that costs 900 us. A browser sends the same
cookie for many requests, so a cookie once checked is kept (bounded LRU) with its contents and
signing time; the age limit is checked again on every request, and a cookie holding anything
but plain values (flashed messages) is checked each time, so that no request shares a
mutable value with another.
"""

import threading
import time

from cachetools import LRUCache
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

_PLAIN = (str, int, float, bool, type(None))


class KeptCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self, size: int = 4096) -> None:
        self._checked: LRUCache = LRUCache(maxsize=size)
        self._serializers: dict = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {key: serializer}  # a new key (tests, rotation) replaces the old
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        with self._lock:
            kept = self._checked.get((serializer, value))
        if kept is None:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            if all(isinstance(v, _PLAIN) for v in data.values()):
                with self._lock:
                    self._checked[(serializer, value)] = (data, signed_at.timestamp())
            return self.session_class(data)
        data, signed_at = kept
        if time.time() - signed_at > max_age:
            return self.session_class()
        return self.session_class(data)
