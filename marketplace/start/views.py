"""The start page after login."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.start.chrome import site_chrome
from marketplace.start.header_counts import header_counts
from marketplace.start.queries import get_start_page

bp = Blueprint("start", __name__)
bp.app_context_processor(header_counts)
bp.add_app_template_global(site_chrome, "site_chrome")


@bp.get("/start")
@login_required
def index():
    return render_template("start/index.html", start=get_start_page(current_user))
