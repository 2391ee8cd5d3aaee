"""Site-wide choices that are not a feature of their own."""

from flask import current_app, session
from flask_login import current_user


def choose_language(language: str, *, on_profile: bool = True) -> bool:
    """Remember the language for this browser and, when signed in, on the user's profile."""
    if language not in current_app.config["LANGUAGES"]:
        return False
    session["locale"] = language
    if on_profile and current_user.is_authenticated:
        current_user.locale = language
    return True
