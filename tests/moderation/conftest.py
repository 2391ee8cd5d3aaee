"""Moderation fixtures: a listing of one organisation, a member of another who reports it, and a
coordinator of the network office."""

from types import SimpleNamespace

import pytest

from tests.search.conftest import search  # noqa: F401 - the real index, emptied per test


@pytest.fixture
def people(make):
    owner = make.user(name="Ayşe Demir", email="lager@frischemarkt.example")
    colleague = make.user(organisation=owner.organisation, email="kasse@frischemarkt.example")
    reporter = make.user(name="Paul Nguyen", email="garten@wurzelwerk.example")
    office = make.organisation(name="Netzwerkbüro", kind="public_body")
    coordinator = make.user(organisation=office, role="coordinator", email="netz@buero.example")
    listing = make.listing(
        organisation=owner.organisation, title="Europaletten aus dem Wareneingang"
    )
    return SimpleNamespace(
        owner=owner,
        colleague=colleague,
        reporter=reporter,
        coordinator=coordinator,
        listing=listing,
    )
