from tests.auth.conftest import csrf_on, sign_in, throttle_on  # noqa: F401
