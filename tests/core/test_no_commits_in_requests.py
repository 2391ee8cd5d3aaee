"""Views, the API and services never commit: the request does, once (core/unit_of_work.py).
CLI commands, sweeps and jobs live in modules of their own and commit themselves."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"
COMMIT = re.compile(r"\.commit\(")

#: Request-path modules that may commit anyway, each with the reason (path relative to the
#: package). Empty: add an entry only for a write that must be committed before the request
#: ends (e.g. before a slow external call), and say why next to the commit too.
ALLOWED: dict[str, str] = {}


def _request_path_modules() -> list[Path]:
    modules = {
        *PACKAGE.glob("*/views.py"),
        *PACKAGE.glob("*/*_views.py"),
        *PACKAGE.glob("*/services.py"),
        *PACKAGE.glob("api/*.py"),
    }
    return sorted(modules)


def test_the_scan_sees_the_request_path():
    names = {str(p.relative_to(PACKAGE)) for p in _request_path_modules()}
    assert {"listings/views.py", "api/listings.py", "ledger/services.py"} <= names


def test_no_view_api_or_service_module_commits():
    found = []
    for path in _request_path_modules():
        name = str(path.relative_to(PACKAGE))
        if name in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COMMIT.search(line.split("#", 1)[0]):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "commit in a request-path module; the request commits once:\n" + "\n".join(
        found
    )


def test_every_allowed_module_still_commits_and_says_why():
    for name, reason in ALLOWED.items():
        assert reason.strip()
        assert COMMIT.search((PACKAGE / name).read_text(encoding="utf-8")), name
