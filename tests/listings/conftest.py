import pytest


@pytest.fixture
def request_ctx(app_ctx):
    """Services translate their messages, and the locale selector reads the request."""
    with app_ctx.test_request_context("/", method="POST"):
        yield
