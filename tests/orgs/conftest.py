from tests.auth.conftest import sign_in, throttle_on  # noqa: F401
