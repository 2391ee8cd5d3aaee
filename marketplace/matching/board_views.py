"""Coordinators' pages: the match board and the region-wide allocation."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user, login_required

from marketplace.categories.queries import get_category_by_slug, grouped_categories
from marketplace.core.i18n import current_language
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.matching import board as board_queries
from marketplace.matching.allocation_data import run_allocation
from marketplace.matching.board_forms import AllocationForm

bp = Blueprint("match_board", __name__, url_prefix="/matching")


@bp.before_request
@login_required
def _coordinators_only():
    board_queries.check_coordinator(current_user)  # before the forms and filters are read


@bp.get("/board")
def board():
    districts = board_queries.list_districts()
    filters = board_queries.parse_board_filters(request.args, districts)
    page = PageRequest.from_args(request.args, default_per_page=board_queries.REQUESTS_PER_PAGE)
    page = PageRequest(page=page.page, per_page=board_queries.REQUESTS_PER_PAGE)
    return render_template(
        "matching/board.html",
        board=board_queries.load_board(current_user, filters, page, districts),
        filters=filters,
        groups=grouped_categories(),
        day_choices=board_queries.EXPIRY_DAY_CHOICES,
    )


@bp.route("/allocation", methods=["GET", "POST"])
def allocation():
    form = AllocationForm()
    form.set_choices(board_queries.list_districts(), grouped_categories(), current_language())
    report = None
    if request.method == "POST":
        if not form.validate():
            return render_template("matching/allocation.html", form=form, report=None), 422
        category = get_category_by_slug(form.category.data)
        report = run_allocation(
            current_app.config,
            viewer=current_user,
            objective=form.objective.data,
            transport_penalty=form.transport_penalty.data,
            district=form.district.data or None,
            category_ids=board_queries.BoardFilters(category=category).category_ids,
            release=db.session.rollback,
        )
    return render_template("matching/allocation.html", form=form, report=report)
