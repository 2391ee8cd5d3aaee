"""Configuration defaults; instance/config.py and MARKETPLACE_* environment variables override them."""

import os
import secrets
from pathlib import Path

#: Keys that appear in tutorials and examples; an app started with one of them is refused.
KNOWN_DEFAULT_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "changeme",
        "change-me",
        "changeit",
        "your-secret-key",
        "super-secret",
        "supersecret",
        "default",
        "test",
        "key",
        "s3cr3t",
    }
)


class Defaults:
    SQLALCHEMY_DATABASE_URI: str | None = None  # filled in with instance/marketplace.db
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SEARCH_INDEX_DIR: str | None = None  # instance/index
    #: "whoosh" (an index folder per server, the embedded default) or "postgres" (search
    #: documents in the database, written in the row's transaction: for several app servers).
    SEARCH_BACKEND = "whoosh"
    UPLOAD_DIR: str | None = None  # instance/uploads
    MAX_CONTENT_LENGTH = 80 * 1024 * 1024  # five photos of at most 15 MB plus form fields
    #: A phone's full-resolution JPEG or HEIC; it is downscaled, so only the upload is this big.
    PHOTO_MAX_BYTES = 15 * 1024 * 1024
    #: Checked on the header before decoding (pixel bombs); 50-megapixel phone cameras fit.
    PHOTO_MAX_PIXELS = 52_000_000
    #: Long side of the stored picture; larger ones are downscaled, not refused.
    PHOTO_MAX_EDGE = 2048
    PHOTOS_PER_LISTING = 5
    PHOTO_QUOTA_BYTES_PER_ORG = 200 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = (
        False  # true when served over HTTPS (set MARKETPLACE_SESSION_COOKIE_SECURE)
    )
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PREFERRED_URL_SCHEME = "http"
    FORCE_HTTPS = False
    #: Absolute base of links in e-mails, e.g. "https://stoffwechsel.leipzig.de"; set it in
    #: production so that a forged Host header can never steer a reset link elsewhere.
    PUBLIC_BASE_URL: str | None = None
    #: Number of trusted reverse proxies in front of the app (0: none, addresses are the peers').
    PROXY_FIX_X_FOR = 0
    WTF_CSRF_TIME_LIMIT = (
        None  # the token lives as long as the session; forms left open overnight still work
    )

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_DEFAULT = "6000 per minute"  # a flood guard; sensitive endpoints set tighter limits
    #: A Redis hiccup must not turn every request into a 500: fall back to per-process counting.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_FAILURES_PER_ACCOUNT = 10  # within LOGIN_FAILURE_WINDOW_S
    LOGIN_FAILURES_PER_ADDRESS = 50
    #: A browser that signed in before (auth/devices.py) counts only its own failures.
    LOGIN_FAILURES_PER_DEVICE = 10
    #: Sign-in attempts per client address and route, whatever the account (shared through
    #: RATELIMIT_STORAGE_URI): guessing across many accounts from one place.
    LOGIN_ROUTE_LIMIT = "20 per minute;200 per hour"
    LOGIN_FAILURE_WINDOW_S = 15 * 60

    API_TOKEN_LIFETIME_DAYS = 30
    #: Legal texts as plain text (blank lines separate paragraphs); files in instance/ win
    #: (instance/impressum.de.html, instance/impressum.html, ...); without either the pages
    #: show a marked sample text.
    IMPRESSUM_TEXT: str | None = None
    DATENSCHUTZ_TEXT: str | None = None
    NUTZUNGSBEDINGUNGEN_TEXT: str | None = None
    #: Version of the terms and privacy notice a registration consents to; raise it when they
    #: change (stored with each user's consent).
    CONSENT_VERSION = "2026-12-01"
    PASSWORD_RESET_LIFETIME_S = 60 * 60
    #: argon2id's parameters (auth/passwords.PROFILES); hashes made under others are upgraded
    #: at the next sign-in. CHEAPEST is for the test suite only.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # noqa: S105 - a parameter set, not a password
    INVITATION_LIFETIME_DAYS = 14

    MAIL_BACKEND = "console"  # console | file | locmem | smtp
    MAIL_FILE_PATH: str | None = None  # instance/mail for the file backend
    MAIL_DEFAULT_SENDER = "Stoffwechsel <noreply@stoffwechsel.local>"
    #: Without Redis, mail is handed to the mail server on a thread of the web process, after
    #: the answer: a request that mails (a password reset for an existing account) must not
    #: take longer than one that does not (the time would tell who has an account), nor wait
    #: for a slow SMTP server. None: on, but off under TESTING (tests read the outbox at once).
    MAIL_IN_THREAD: bool | None = None

    # flask-smorest serves the spec at /api/v1/openapi.json; /api/v1/docs is our own page (api/docs.py)
    API_TITLE = "Stoffwechsel API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    LISTINGS_PER_PAGE = 20
    #: Rendered page parts kept per kind and process (core/fragments.py); None: 512, 0 in tests.
    FRAGMENT_CACHE_SIZE: int | None = None
    #: Rendered browse/search pages kept per process for anonymous visitors, dropped whenever a
    #: listing changes anywhere; None means 256 (and off under TESTING), 0 turns the cache off.
    LISTINGS_PAGE_CACHE_SIZE: int | None = None
    #: Background jobs (marketplace/jobs, docs/jobs.md): with a Redis URL, alerts, mail, sweeps
    #: and reindexing go to an RQ queue for `flask --app wsgi worker`, and the periodic sweeps
    #: come from `flask --app wsgi scheduler` instead of web requests. None: all of it runs in
    #: the web processes, as in the embedded default.
    REDIS_URL: str | None = None
    JOB_QUEUE = "stoffwechsel"
    #: A failed job is tried again after each of these pauses (seconds), then listed for admins.
    JOB_RETRY_INTERVALS = (30, 300, 1800)
    JOB_TIMEOUT_S = 1800  # a full reindex of a large region takes minutes
    #: Failed jobs are kept this long for admins to look at (RQ's failure_ttl).
    JOB_FAILURE_TTL_S = 14 * 24 * 3600
    #: With Redis, an exchanges workbook of at least this many rows, and every PDF report, is
    #: prepared by a job and collected from /reports/files (the asker does not wait on an open
    #: request); smaller workbooks, and everything without Redis, are answered at once.
    EXPORT_JOB_MIN_ROWS = 5000
    #: Prepared files are deleted this long after they were asked for (the periodic purge).
    PREPARED_FILE_TTL_S = 24 * 3600
    PREPARED_FILE_PURGE_INTERVAL_S = 3600
    EXPIRY_SWEEP_INTERVAL_S = 60
    #: Booking reminders and overdue notices (bookings/sweep.py): checked for at most this often
    #: per process (0: only by `flask bookings sweep`), sent this many hours before pick-up/return.
    BOOKING_SWEEP_INTERVAL_S = 300
    BOOKING_REMINDER_HOURS = 24
    #: Matching alerts: an organisation is told about a new listing that scores at least this
    #: against one of its open listings; digests are checked for at most this often per process.
    MATCH_ALERT_MIN_SCORE = 0.5
    MATCH_ALERTS_ENABLED = True
    MATCH_DIGEST_SWEEP_INTERVAL_S = 600
    #: Region-wide allocation (matching/allocation.py): the nearest compatible offers considered
    #: per request, the weight of a match within the parent category only, and transport as kg
    #: CO2e per kg and km (a van at 0.17 kg CO2e/km, there and back, with a typical 100 kg load).
    ALLOCATION_NEAREST_OFFERS = 30
    ALLOCATION_PARENT_CATEGORY_FACTOR = 0.8
    ALLOCATION_TRANSPORT_KG_CO2E_PER_KG_KM = 0.0034
    #: The region, and a real postcode and district of it that forms show as examples
    #: (placeholders), so that nobody in Leipzig is shown a Berlin postcode.
    REGION_NAME = "Leipzig"
    REGION_EXAMPLE_POSTCODE = "04277"
    REGION_EXAMPLE_DISTRICT = "Connewitz"
    #: Inhabitants of the region, for the kg-per-inhabitant yardstick on /impact (Leipzig).
    REGION_INHABITANTS = 628_000
    #: Seconds the figures of /impact are kept per process; None means 300 (0 under TESTING).
    IMPACT_CACHE_SECONDS: int | None = None

    #: The map's tiles ({z}/{x}/{y}, optionally {s}); the CSP's img-src allows exactly this host.
    #: Empty: no tiles at all, markers on a plain background.
    MAP_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    MAP_TILE_ATTRIBUTION = (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    )
    #: Where the map opens (lat, lon) and how close: Leipzig.
    MAP_CENTER = (51.3397, 12.3731)
    MAP_ZOOM = 12
    #: Features of one map.geojson answer, shared by its layers. With a bbox a layer holding more
    #: is clustered (directory/clusters.py); without, the rest is counted as left out.
    MAP_MAX_FEATURES = 1000
    #: Who may frame /embed/* (CSP frame-ancestors); every other page refuses to be framed.
    EMBED_FRAME_ANCESTORS = "*"
    #: Licence of the open data (directory CSV, map GeoJSON, organisations API).
    OPEN_DATA_LICENCE = "CC BY 4.0"
    OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.de"


def resolve_paths(config: dict, instance_path: str) -> None:
    """Fill in runtime paths under instance/ that no override has set."""
    inst = Path(instance_path)
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_uri(
        config.get("SQLALCHEMY_DATABASE_URI") or f"sqlite:///{inst / 'marketplace.db'}"
    )
    config["SEARCH_INDEX_DIR"] = config.get("SEARCH_INDEX_DIR") or str(inst / "index")
    config["UPLOAD_DIR"] = config.get("UPLOAD_DIR") or str(inst / "uploads")
    config["MAIL_FILE_PATH"] = config.get("MAIL_FILE_PATH") or str(inst / "mail")


def normalise_database_uri(uri: str) -> str:
    """Use psycopg 3 for plain postgresql:// addresses (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Use the configured key, else one generated once into instance/secret_key; refuse known defaults."""
    key = config.get("SECRET_KEY")
    if not key:
        path = Path(instance_path) / "secret_key"
        if not path.exists():
            _write_once(path, secrets.token_hex(32))
        key = path.read_text().strip()
        config["SECRET_KEY"] = key
    if key.strip().lower() in KNOWN_DEFAULT_KEYS or len(key) < 16:
        raise RuntimeError(
            "Refusing to start with a known or too short SECRET_KEY; unset it to have one generated "
            "into instance/secret_key, or set MARKETPLACE_SECRET_KEY to at least 16 random characters."
        )


def _write_once(path: Path, content: str) -> None:
    """Write a complete file atomically; when several workers race, the first one wins."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(content)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


SEARCH_BACKENDS = ("whoosh", "postgres")


def check_search_backend(config: dict) -> str:
    """The configured search backend; refuse unknown names and PostgreSQL search on SQLite."""
    name = (config.get("SEARCH_BACKEND") or "whoosh").strip().lower()
    if name not in SEARCH_BACKENDS:
        raise RuntimeError(
            f"Unknown SEARCH_BACKEND {name!r}: set MARKETPLACE_SEARCH_BACKEND to one of "
            f"{', '.join(SEARCH_BACKENDS)}."
        )
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if name == "postgres" and not uri.startswith("postgresql"):
        raise RuntimeError(
            "SEARCH_BACKEND=postgres needs a PostgreSQL database (SQLALCHEMY_DATABASE_URI is "
            "not postgresql://...): use SEARCH_BACKEND=whoosh with SQLite."
        )
    return name
