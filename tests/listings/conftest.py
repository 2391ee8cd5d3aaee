import pytest

from tests.listings.fixtures import api, client, login_as  # noqa: F401


@pytest.fixture
def request_ctx(app_ctx):
    """Services translate their messages, and the locale selector reads the request."""
    with app_ctx.test_request_context("/", method="POST"):
        yield
