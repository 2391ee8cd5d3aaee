"""The per-process caches the test app runs without (tests change rows behind their versions'
back), switched on for the tests that are about them."""

import contextlib

#: Each size setting and the app extension that holds the caches it sizes.
_FAMILIES = {"FRAGMENT_CACHE_SIZE": "fragment_caches", "READ_CACHE_SIZE": "kept_reads"}


@contextlib.contextmanager
def caches_sized(app, **sizes: int):
    """The caches of these settings at these sizes (0: off), forgotten before and after."""
    for setting, size in sizes.items():
        app.config[setting] = size
        app.extensions.pop(_FAMILIES[setting], None)
    try:
        yield
    finally:
        for setting in sizes:
            app.config.pop(setting, None)
            app.extensions.pop(_FAMILIES[setting], None)
