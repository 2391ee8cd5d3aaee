"""Password hashing with argon2id, and the rules a new password must meet (security.md 1-2)."""

import logging
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

log = logging.getLogger(__name__)

#: argon2's named parameter sets (argon2.profiles); PASSWORD_HASH_PROFILE picks one. A hash
#: made under another set is rehashed at the next sign-in (needs_rehash).
PROFILES = {
    "RFC_9106_LOW_MEMORY": profiles.RFC_9106_LOW_MEMORY,
    "RFC_9106_HIGH_MEMORY": profiles.RFC_9106_HIGH_MEMORY,
    "CHEAPEST": profiles.CHEAPEST,  # tests only: a hash in microseconds, guessed as fast
}
DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"


class _Hasher:
    """A parameter set's hasher, and a hash to verify against when the account does not exist,
    so that both cases take the same time."""

    def __init__(self, profile: str) -> None:
        self.argon2 = PasswordHasher.from_parameters(PROFILES[profile])
        self.dummy_hash = self.argon2.hash("not-a-real-password-but-takes-as-long")


@lru_cache(maxsize=len(PROFILES))
def _hasher_for(profile: str) -> _Hasher:
    if profile == "CHEAPEST":
        log.warning("PASSWORD_HASH_PROFILE=CHEAPEST: password hashes are made for tests only")
    return _Hasher(profile)


def check_profile(config) -> None:
    """Refuse an unknown PASSWORD_HASH_PROFILE at start-up rather than at the first sign-in."""
    profile = config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE)
    if profile not in PROFILES:
        raise RuntimeError(
            f"PASSWORD_HASH_PROFILE={profile!r}: choose one of {', '.join(sorted(PROFILES))}"
        )


def _hasher() -> _Hasher:
    profile = DEFAULT_PROFILE
    if has_app_context():
        profile = current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE)
    return _hasher_for(profile)


def hash_password(password: str) -> str:
    return _hasher().argon2.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not there is a hash to check against."""
    hasher = _hasher()
    try:
        checked = hasher.argon2.verify(password_hash or hasher.dummy_hash, password)
        return checked and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().argon2.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = resources.files("marketplace.data").joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


MIN_LENGTH = 10
MAX_LENGTH = 128


def password_problems(password: str) -> list[str]:
    """Reasons (translated) why a password may not be used; empty when it is fine."""
    from flask_babel import gettext as _

    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_LENGTH))
    elif len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    elif password.lower() in _common_passwords():
        problems.append(_("This password is among the most common ones; please choose another."))
    return problems
