"""The asker's prepared report files (marketplace/reports/prepared.py): the list, one file's
progress (the page reloads itself while the job runs, no JavaScript needed) and its download."""

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user, login_required

from marketplace.reports.prepared import get_prepared_file, list_prepared_files
from marketplace.reports.prepared_models import READY

bp = Blueprint("reports_files", __name__)

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
#: Seconds between reloads of a page that waits for a file.
REFRESH_S = 3


@bp.get("/reports/files", endpoint="index")
@login_required
def index():
    files = list_prepared_files(current_user)
    return render_template(
        "reports/files.html",
        files=files,
        refresh=REFRESH_S if any(file.pending for file in files) else None,
    )


@bp.get("/reports/files/<int:file_id>", endpoint="show")
@login_required
def show(file_id: int):
    file = get_prepared_file(current_user, file_id)
    return render_template(
        "reports/file.html", file=file, refresh=REFRESH_S if file.pending else None
    )


@bp.get("/reports/files/<int:file_id>/download", endpoint="download")
@login_required
def download(file_id: int):
    file = get_prepared_file(current_user, file_id)
    if file.status != READY:
        return redirect(url_for("reports_files.show", file_id=file.id), 303)
    return Response(
        file.content,
        content_type=TYPES[file.kind],
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
