"""Account services: sign-in, throttling, password change and reset, roles."""

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from marketplace.auth import services
from marketplace.auth.models import ApiToken, LoginAttempt, PasswordResetToken, UserSession
from marketplace.auth.passwords import verify_password
from marketplace.auth.sessions import hash_secret
from marketplace.auth.tokens import find_token, issue_api_token
from marketplace.core.clock import utcnow
from marketplace.core.errors import NotFound, TooManyAttempts, ValidationFailed
from marketplace.extensions import db
from tests.auth.conftest import link_in
from tests.factories import PASSWORD

ADDRESS = "203.0.113.7"

pytestmark = pytest.mark.usefixtures("in_request")


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _session_row(user) -> str:
    key = f"key-{user.id}-{_count(UserSession)}"
    db.session.add(UserSession(user_id=user.id, key_hash=hash_secret(key)))
    db.session.commit()
    return key


# --- authenticate ---------------------------------------------------------------------------------


def test_authenticate_accepts_the_address_in_any_case_and_with_spaces(make):
    user = make.user(email="greta@example.org")
    assert services.authenticate("  Greta@Example.ORG ", PASSWORD, ADDRESS) == user


def test_unknown_address_and_wrong_password_fail_identically(make):
    make.user(email="greta@example.org")
    with pytest.raises(services.InvalidCredentials) as wrong:
        services.authenticate("greta@example.org", "not-her-password", ADDRESS)
    with pytest.raises(services.InvalidCredentials) as unknown:
        services.authenticate("nobody@example.org", "not-her-password", ADDRESS)
    assert (wrong.value.status, wrong.value.code, wrong.value.message) == (
        unknown.value.status,
        unknown.value.code,
        unknown.value.message,
    )
    assert wrong.value.status == 401


def test_deactivated_account_cannot_sign_in(make):
    make.user(email="greta@example.org", active=False)
    with pytest.raises(services.InvalidCredentials):
        services.authenticate("greta@example.org", PASSWORD, ADDRESS)


def test_outdated_hash_is_upgraded_at_sign_in(make, real_password_cost):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    user = make.user(password_hash=weak)
    services.authenticate(user.email, PASSWORD, ADDRESS)
    assert user.password_hash != weak
    assert verify_password(user.password_hash, PASSWORD)


# --- throttling -----------------------------------------------------------------------------------


def _fail(email, address=ADDRESS, times=1):
    for _ in range(times):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate(email, "wrong-password-123", address)
        db.session.commit()


def test_account_is_throttled_after_too_many_failures_even_with_the_right_password(
    make, throttle_on
):
    user = make.user()
    _fail(user.email, times=3)
    with pytest.raises(TooManyAttempts) as excinfo:
        services.authenticate(user.email, PASSWORD, "198.51.100.1")
    assert excinfo.value.status == 429
    assert 0 < excinfo.value.retry_after <= throttle_on["LOGIN_FAILURE_WINDOW_S"] + 1
    assert "wait" in excinfo.value.message


def test_unknown_account_is_throttled_like_a_known_one(make, throttle_on):
    _fail("nobody@example.org", times=3)
    with pytest.raises(TooManyAttempts):
        services.authenticate("nobody@example.org", "whatever-1234", "198.51.100.1")


def test_address_is_throttled_across_accounts(make, throttle_on):
    for n in range(5):
        _fail(f"someone{n}@example.org")
    user = make.user()
    with pytest.raises(TooManyAttempts):
        services.authenticate(user.email, PASSWORD, ADDRESS)
    assert services.authenticate(user.email, PASSWORD, "198.51.100.1") == user


def test_success_clears_the_accounts_failures(make, throttle_on):
    user = make.user()
    _fail(user.email, times=2)
    services.authenticate(user.email, PASSWORD, ADDRESS)
    db.session.commit()
    _fail(user.email, times=2)
    assert services.authenticate(user.email, PASSWORD, ADDRESS) == user


def test_failures_older_than_the_window_do_not_count(make, throttle_on):
    user = make.user()
    old = utcnow() - timedelta(seconds=throttle_on["LOGIN_FAILURE_WINDOW_S"] + 5)
    key = hashlib.sha256(user.email.encode()).hexdigest()
    for _ in range(5):
        db.session.add(LoginAttempt(account_key=key, address=ADDRESS, created_at=old))
    db.session.commit()
    assert services.authenticate(user.email, PASSWORD, ADDRESS) == user


def test_throttle_stores_only_a_hash_of_the_address(make, throttle_on):
    _fail("  Greta@Example.org")
    row = db.session.execute(select(LoginAttempt)).scalar_one()
    assert row.account_key == hashlib.sha256(b"greta@example.org").hexdigest()
    assert row.address == ADDRESS


def test_throttle_is_off_when_rate_limits_are_disabled(make):
    user = make.user()
    _fail(user.email, times=12)
    assert services.authenticate(user.email, PASSWORD, ADDRESS) == user
    assert _count(LoginAttempt) == 0


# --- password change ------------------------------------------------------------------------------


def test_change_password_needs_the_current_one(make):
    user = make.user()
    with pytest.raises(ValidationFailed) as excinfo:
        services.change_password(user, "wrong-password-1", "Neues-Lastenrad-7")
    assert "current_password" in excinfo.value.fields


def test_change_password_refuses_common_and_short_passwords(make):
    user = make.user()
    for weak in ("passwort123", "kurz"):
        with pytest.raises(ValidationFailed) as excinfo:
            services.change_password(user, PASSWORD, weak)
        assert "new_password" in excinfo.value.fields


def test_change_password_ends_the_other_sessions_only(make):
    user = make.user()
    own, other = _session_row(user), _session_row(user)
    user.login_key = own
    services.change_password(user, PASSWORD, "Neues-Lastenrad-7")
    db.session.commit()
    keys = set(db.session.execute(select(UserSession.key_hash)).scalars())
    assert keys == {hash_secret(own)}
    assert hash_secret(other) not in keys
    assert verify_password(user.password_hash, "Neues-Lastenrad-7")


# --- password reset -------------------------------------------------------------------------------


def test_reset_request_for_unknown_address_sends_nothing(make, outbox):
    assert services.request_password_reset("nobody@example.org") is None
    db.session.commit()
    assert outbox == [] and _count(PasswordResetToken) == 0


def test_reset_mail_leaves_after_the_commit_and_the_token_is_stored_hashed(make, outbox):
    user = make.user(email="greta@example.org")
    services.request_password_reset("GRETA@example.org")
    assert outbox == []
    db.session.commit()
    assert [m.to for m in outbox] == [["greta@example.org"]]
    token = link_in(outbox[0], "/password/reset/")
    row = db.session.execute(select(PasswordResetToken)).scalar_one()
    assert row.user_id == user.id and row.token_hash == hash_secret(token)
    assert token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(hours=1)


def test_reset_mail_is_dropped_when_the_transaction_rolls_back(make, outbox):
    user = make.user()
    services.request_password_reset(user.email)
    db.session.rollback()
    db.session.commit()
    assert outbox == []


def test_reset_sets_the_password_once_and_ends_sessions_and_api_tokens(make, outbox):
    user = make.user()
    _session_row(user)
    api_token, _ = issue_api_token(user)
    services.request_password_reset(user.email)
    db.session.commit()
    token = link_in(outbox[0], "/password/reset/")

    services.reset_password(token, "Neues-Lastenrad-7")
    db.session.commit()
    assert verify_password(user.password_hash, "Neues-Lastenrad-7")
    assert _count(UserSession, UserSession.user_id == user.id) == 0
    assert find_token(api_token) is None
    with pytest.raises(services.LinkExpired):
        services.reset_password(token, "Noch-ein-Passwort-8")


def test_reset_refuses_a_weak_password_and_keeps_the_link_usable(make, outbox):
    user = make.user()
    services.request_password_reset(user.email)
    db.session.commit()
    token = link_in(outbox[0], "/password/reset/")
    with pytest.raises(ValidationFailed) as excinfo:
        services.reset_password(token, "1234567890")
    assert "password" in excinfo.value.fields
    assert services.usable_reset_token(token).used_at is None


def test_expired_and_unknown_reset_links_are_refused(make, outbox):
    user = make.user()
    services.request_password_reset(user.email)
    db.session.commit()
    token = link_in(outbox[0], "/password/reset/")
    row = db.session.execute(select(PasswordResetToken)).scalar_one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(services.LinkExpired):
        services.reset_password(token, "Neues-Lastenrad-7")
    with pytest.raises(NotFound):
        services.reset_password("not-a-token", "Neues-Lastenrad-7")


def test_a_new_reset_link_makes_the_older_ones_useless_once_used(make, outbox):
    user = make.user()
    services.request_password_reset(user.email)
    services.request_password_reset(user.email)
    db.session.commit()
    first, second = (link_in(m, "/password/reset/") for m in outbox)
    services.reset_password(second, "Neues-Lastenrad-7")
    db.session.commit()
    with pytest.raises(services.LinkExpired):
        services.usable_reset_token(first)


# --- profile and roles ----------------------------------------------------------------------------


def test_update_profile_changes_name_and_language_only(make):
    user = make.user(name="Greta", locale="de")
    services.update_profile(user, "  Greta   Holz ", "en")
    assert (user.name, user.locale, user.role) == ("Greta Holz", "en", "member")
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_profile(user, "", "fr")
    assert set(excinfo.value.fields) == {"name", "locale"}


def test_set_role_accepts_only_known_roles(make):
    user = make.user()
    services.set_role(user, "coordinator")
    assert user.is_coordinator
    with pytest.raises(ValidationFailed):
        services.set_role(user, "superuser")


def test_api_token_row_holds_no_clear_token(make):
    user = make.user()
    token, _ = issue_api_token(user)
    db.session.commit()
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert row.token_hash == hash_secret(token) and token not in row.token_hash
