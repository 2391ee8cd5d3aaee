"""Passwords are hashed with argon2id at RFC 9106's parameters unless the operator chose other
ones; the suite's cheap parameters never reach a shipped configuration."""

import pytest
from argon2 import extract_parameters, profiles

from marketplace import create_app
from marketplace.auth.passwords import hash_password, needs_rehash, verify_password
from marketplace.config import Defaults


def test_the_shipped_configuration_hashes_with_rfc_9106_low_memory():
    assert Defaults.PASSWORD_HASH_PROFILE == "RFC_9106_LOW_MEMORY"


def test_a_hash_carries_the_chosen_parameters_and_checks(app_ctx, real_password_cost):
    stored = hash_password("Kompost-Regal-42")
    assert stored.startswith("$argon2id$")
    assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY
    assert verify_password(stored, "Kompost-Regal-42")
    assert not verify_password(stored, "Kompost-Regal-43")
    assert not needs_rehash(stored)


def test_a_hash_of_the_test_parameters_is_upgraded_under_the_real_ones(app, real_password_cost):
    app.config["PASSWORD_HASH_PROFILE"] = "CHEAPEST"
    with app.app_context():
        cheap = hash_password("Kompost-Regal-42")
    app.config["PASSWORD_HASH_PROFILE"] = "RFC_9106_LOW_MEMORY"
    with app.app_context():
        assert verify_password(cheap, "Kompost-Regal-42")
        assert needs_rehash(cheap)


def test_an_unknown_profile_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
        create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path),
                "SECRET_KEY": "tests-" + "k" * 40,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
                "PASSWORD_HASH_PROFILE": "md5",
            }
        )
