"""One coordinator check (auth/access.py) for every feature that shows or changes all
organisations' data."""

import pytest
from flask_login import AnonymousUserMixin

from marketplace.auth.access import require_coordinator
from marketplace.core.errors import PermissionDenied
from tests import factories


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_and_admins_pass(make, role):
    require_coordinator(factories.user(role=role), "no")


@pytest.mark.parametrize("who", ["nobody", "anonymous", "member"])
def test_everyone_else_is_refused_with_the_features_reason(make, who):
    user = {"nobody": None, "anonymous": AnonymousUserMixin()}.get(who) or factories.user()
    with pytest.raises(PermissionDenied) as refused:
        require_coordinator(user, "Only coordinators can see this.")
    assert refused.value.message == "Only coordinators can see this."
