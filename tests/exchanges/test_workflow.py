"""The state machine, as a table: every action x status x role is either allowed or refused."""

import itertools

import pytest

from marketplace.core.errors import InvalidTransition, PermissionDenied
from marketplace.exchanges import workflow

P, R = "provider", "receiver"

#: (action, from status, role) -> new status; everything not listed is refused.
ALLOWED = {
    ("propose", None, R): "proposed",
    ("accept", "proposed", P): "accepted",
    ("decline", "proposed", P): "declined",
    ("cancel", "proposed", P): "cancelled",
    ("cancel", "proposed", R): "cancelled",
    ("cancel", "accepted", P): "cancelled",
    ("cancel", "accepted", R): "cancelled",
    ("complete", "accepted", P): "completed",
    ("complete", "accepted", R): "completed",
}
ALL = list(itertools.product(workflow.ACTIONS, (None, *workflow.STATUSES), (P, R, None)))


@pytest.mark.parametrize(("action", "status", "role"), list(ALLOWED))
def test_allowed_transition(action, status, role):
    assert workflow.next_status(action, status, role) == ALLOWED[(action, status, role)]
    assert workflow.can(action, status, role)


@pytest.mark.parametrize(
    ("action", "status", "role"), [case for case in ALL if case not in ALLOWED]
)
def test_forbidden_transition(action, status, role):
    with pytest.raises((InvalidTransition, PermissionDenied)):
        workflow.next_status(action, status, role)
    assert not workflow.can(action, status, role)


@pytest.mark.parametrize(("action", "status"), [("accept", "proposed"), ("decline", "proposed")])
def test_the_receiver_is_denied_rather_than_told_the_status_is_wrong(action, status):
    """A right the role never has is a 403; a right at the wrong moment is a 409."""
    with pytest.raises(PermissionDenied):
        workflow.next_status(action, status, R)
    with pytest.raises(InvalidTransition):
        workflow.next_status(action, "completed", P)


def test_no_transition_leaves_a_final_status():
    for action, status, role in ALL:
        if status in workflow.FINAL_STATUSES:
            assert not workflow.can(action, status, role)


def test_allowed_actions_for_the_page():
    assert workflow.allowed_actions("proposed", P) == ["accept", "decline", "cancel"]
    assert workflow.allowed_actions("proposed", R) == ["cancel"]
    assert workflow.allowed_actions("accepted", R) == ["cancel", "complete"]
    assert workflow.allowed_actions("completed", P) == []
    assert workflow.allowed_actions("accepted", None) == []


def test_unknown_action_is_an_invalid_transition():
    with pytest.raises(InvalidTransition):
        workflow.next_status("steal", "proposed", P)


def test_workflow_imports_neither_flask_nor_the_database():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(workflow))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    modules = {(node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"flask", "sqlalchemy", "flask_sqlalchemy"}
    assert "marketplace.extensions" not in modules
