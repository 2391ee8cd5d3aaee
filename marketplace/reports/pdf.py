"""PDF rendering with WeasyPrint. Reports are rendered from templates like pages, but WeasyPrint
never touches the network: the only resources it may load are data: URLs and files of the app's
own static folder, read from disk (a request to ourselves would deadlock a single worker)."""

import mimetypes
import os
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from flask import Response, current_app, has_request_context, request

from marketplace.reports.collector import cycle_collector_paused

#: Base URL of the rendered document; links inside it are resolved against it.
BASE_URL = "http://pdf.invalid/"
#: Rendered PDFs kept per process with their HTML (a report is some 100 KB of each).
PDFS_KEPT = 8


def static_path(url: str, static_folder: str, prefix: str) -> str | None:
    """The file under `static_folder` that `url` names (a path under `prefix` on one of our own
    hosts), or None: other hosts and schemes, paths escaping the folder, missing files."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or (
        parts.netloc and parts.netloc not in _own_hosts()
    ):
        return None
    path = unquote(parts.path)
    if not path.startswith(prefix):
        return None
    folder = os.path.realpath(static_folder)
    candidate = os.path.realpath(os.path.join(folder, path[len(prefix) :]))
    if not candidate.startswith(folder + os.sep) or not os.path.isfile(candidate):
        return None
    return candidate


def static_files_fetcher(static_folder: str, static_url_path: str):
    """A WeasyPrint URL fetcher that serves the static folder from disk and data: URLs, and
    refuses everything else (weasyprint is imported here: it is slow to load)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    prefix = static_url_path.rstrip("/") + "/"

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url: str, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url, static_folder, prefix)
            if path is None:
                raise ValueError(f"Refused to fetch {url!r}: PDFs load only the app's static files")
            mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as fh:
                body = fh.read()
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return StaticFilesOnly(timeout=1, allowed_protocols=("data",), allow_redirects=False)


def _own_hosts() -> set[str]:
    hosts = {urlsplit(BASE_URL).netloc}
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        hosts.add(server_name)
    if has_request_context():  # not in the CLI
        hosts.add(request.host)
    return hosts


def render_pdf(html: str) -> bytes:
    """The PDF of an HTML document whose resources are the app's static files. The same
    document gives the same PDF: one rendered in this process before is served again (the
    HTML holds every figure, label and the date, so unchanged data is the same document)."""
    app = current_app
    return _rendered(html, app.static_folder, app.static_url_path or "/static")


@lru_cache(maxsize=PDFS_KEPT)
def _rendered(html: str, static_folder: str, static_url_path: str) -> bytes:
    from weasyprint import HTML

    fetcher = static_files_fetcher(static_folder, static_url_path)
    with cycle_collector_paused():
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def pdf_response(html: str, filename: str) -> Response:
    """A PDF download: attachment, never cached by shared caches (figures may be private)."""
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
