"""Stoffwechsel: a local material-exchange marketplace for the social economy."""

import os

from flask import Flask

from marketplace.config import Defaults, ensure_secret_key, resolve_paths
from marketplace.core.translated_templates import App
from marketplace.core.urls import IdConverter


def create_app(test_config: dict | None = None) -> Flask:
    app = App(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("MARKETPLACE_INSTANCE_PATH")
        or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "instance"),
    )
    app.url_map.converters["int"] = IdConverter
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("MARKETPLACE")
    else:
        app.config.from_prefixed_env("MARKETPLACE")
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    resolve_paths(app.config, app.instance_path)
    ensure_secret_key(app.config, app.instance_path)
    from marketplace.auth.passwords import check_profile

    check_profile(app.config)

    from marketplace.core.front_cache import install_front_cache

    install_front_cache(app)  # inside ProxyFix: it keys pages by the visitor's scheme and host
    if app.config["PROXY_FIX_X_FOR"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy the client's address (login throttling, rate limits) and scheme
        # come from X-Forwarded-* headers set by that many trusted proxies.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=app.config["PROXY_FIX_X_FOR"]
        )
    _import_models()
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from marketplace.bookings import init_bookings
    from marketplace.ledger import init_ledger

    init_bookings(app)
    init_ledger(app)

    from marketplace.directory import init_directory

    init_directory(app)

    from marketplace.core.errorpages import register_error_handlers
    from marketplace.core.templating import register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)

    from marketplace.core.unit_of_work import init_unit_of_work

    init_unit_of_work(app)  # last: its after_request hook must run before the others
    return app


def _import_models() -> None:
    """Every table must be known to the metadata before migrations or queries run."""
    import marketplace.audit.models
    import marketplace.auth.models
    import marketplace.bookings.models
    import marketplace.categories.models
    import marketplace.core.mail
    import marketplace.directory.models
    import marketplace.exchanges.models
    import marketplace.ledger.models
    import marketplace.listings.models
    import marketplace.matching.models
    import marketplace.moderation.models
    import marketplace.orgs.models
    import marketplace.reports.prepared_models  # noqa: F401


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.auth.sessions import load_user_from_session
    from marketplace.core.commit_stamp import follow_commits
    from marketplace.core.cookie_sessions import KeptCookieSessionInterface
    from marketplace.core.csrf_tokens import install_kept_csrf_tokens
    from marketplace.core.database import configure_engine
    from marketplace.core.i18n import install_template_gettext, select_locale
    from marketplace.core.translated_templates import install_translated_format
    from marketplace.extensions import (
        babel,
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
        talisman,
    )

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        follow_commits(app, db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    install_kept_csrf_tokens(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories="translations"
    )
    install_template_gettext(app)
    install_translated_format(app)
    app.session_interface = KeptCookieSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_from_session)
    _init_mail(app)
    mail.init_app(app)
    limiter.init_app(app)
    from marketplace.core.frames import register_frame_policy, tile_source

    register_frame_policy(app)  # before Talisman, so that it runs after Talisman's headers
    images = " ".join(filter(None, ("'self' data:", tile_source(app.config["MAP_TILE_URL"]))))
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        content_security_policy={
            "default-src": "'self'",
            "img-src": images,
            "object-src": "'none'",
            "frame-ancestors": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
        },
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )

    from marketplace.search import init_search

    init_search(app)


def _init_mail(app: Flask) -> None:
    """Map MAIL_BACKEND to Flask-Mailman's backends: console in development, a file, or SMTP."""
    backend = app.config["MAIL_BACKEND"]
    if backend == "file":
        os.makedirs(app.config["MAIL_FILE_PATH"], exist_ok=True)
    app.config.setdefault("MAIL_BACKEND", backend)


def _register_blueprints(app: Flask) -> None:
    from marketplace.api.blueprint import init_api
    from marketplace.audit.views import bp as audit_bp
    from marketplace.auth.views import bp as auth_bp
    from marketplace.bookings.feed_views import bp as booking_feeds_bp
    from marketplace.bookings.rules_views import bp as booking_rules_bp
    from marketplace.bookings.views import bp as bookings_bp
    from marketplace.categories.views import bp as categories_bp
    from marketplace.directory.views import bp as directory_bp
    from marketplace.exchanges.brokered_views import bp as brokered_bp
    from marketplace.exchanges.views import bp as exchanges_bp
    from marketplace.jobs.views import bp as jobs_bp
    from marketplace.ledger.coordinator_views import bp as ledger_coordinator_bp
    from marketplace.ledger.views import bp as ledger_bp
    from marketplace.listings.views import bp as listings_bp
    from marketplace.matching.board_views import bp as match_board_bp
    from marketplace.matching.views import bp as matching_bp
    from marketplace.moderation.views import bp as moderation_bp
    from marketplace.orgs.views import bp as orgs_bp
    from marketplace.pages.views import bp as pages_bp
    from marketplace.privacy.views import bp as privacy_bp
    from marketplace.reports.export_views import bp as reports_export_bp
    from marketplace.reports.prepared_views import bp as reports_files_bp
    from marketplace.reports.views import bp as reports_bp
    from marketplace.search.views import bp as search_bp
    from marketplace.start.views import bp as start_bp

    for blueprint in (pages_bp, auth_bp, orgs_bp, categories_bp, listings_bp, exchanges_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(booking_feeds_bp)
    app.register_blueprint(booking_rules_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(ledger_coordinator_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(reports_export_bp)
    app.register_blueprint(reports_files_bp)
    app.register_blueprint(match_board_bp)
    app.register_blueprint(brokered_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(start_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(jobs_bp)
    init_api(app)


def _register_cli(app: Flask) -> None:
    from marketplace.cli.commands import register_commands

    register_commands(app)
