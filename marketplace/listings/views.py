"""Web pages: browse and search listings, post and edit them, one listing, an organisation's own."""

from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.categories.queries import grouped_categories
from marketplace.core.errors import InvalidTransition, ValidationFailed
from marketplace.core.forms import copy_errors
from marketplace.core.fragments import cached_fragment, render_fragment
from marketplace.core.i18n import current_language
from marketplace.core.pagination import PageRequest
from marketplace.extensions import db
from marketplace.listings.cards import listing_card
from marketplace.listings.detail_page import listing_page
from marketplace.listings.expiry import sweep_expired_listings
from marketplace.listings.facet_tree import facet_tree
from marketplace.listings.filters import parse_listing_filters
from marketplace.listings.forms import ListingForm
from marketplace.listings.hits import ListingPage
from marketplace.listings.kept_photos import (
    KeptPhotos,
    forget_kept_photos,
    keep_uploads,
    kept_file_path,
    load_kept_photos,
)
from marketplace.listings.liveness import effective_status
from marketplace.listings.models import KINDS, OWNER_ONLY_STATUSES, STATUSES
from marketplace.listings.page_cache import cached_page, front_slot, page_version, remember_page
from marketplace.listings.queries import (
    count_organisation_listings_by_status,
    distance_from_viewer,
    get_listing_for_viewer,
    get_photo_for_viewer,
    list_listings,
    list_organisation_listings,
    listing_finder,
    viewer_home,
)
from marketplace.listings.services import (
    check_can_edit,
    create_listing,
    update_listing,
    withdraw_listing,
)

bp = Blueprint("listings", __name__)
bp.before_app_request(sweep_expired_listings)
bp.add_app_template_filter(effective_status, "listing_status")
bp.add_app_template_filter(facet_tree, "facet_tree")
bp.add_app_template_global(listing_card, "listing_card")
bp.add_app_template_global(distance_from_viewer, "distance_from_viewer")
bp.record_once(lambda state: state.app.extensions["front_cache"].route("/listings", front_slot))

PHOTO_CACHE_SECONDS = 365 * 24 * 3600


def _viewer_org_id() -> int | None:
    return current_user.organisation_id if current_user.is_authenticated else None


@bp.get("/listings")
def browse():
    cached = cached_page()
    if cached is not None:
        return cached
    home = viewer_home(current_user)
    filters, problems = parse_listing_filters(request.args, home_postcode=home[0] if home else None)
    content = cached_fragment(
        "browse",
        # everything of the reader the results depend on: language, own organisation (its
        # withdrawn and hidden listings, distances from its place), signed in or not
        lambda: (
            (
                current_language(),
                request.full_path,
                current_user.is_authenticated,
                _viewer_org_id(),
                home,
            ),
            page_version() if listing_finder() is not None else None,
        ),
        lambda: _browse_content(filters, problems),
    )
    html = render_template("listings/browse.html", content=content, filters=filters)
    return remember_page(html)


def _browse_content(filters, problems: dict) -> str:
    page_request = PageRequest.from_args(request.args, current_app.config["LISTINGS_PER_PAGE"])
    try:
        page = list_listings(
            filters, page_request, viewer_organisation_id=_viewer_org_id(), facets=True
        )
    except ValidationFailed as error:
        problems = {**problems, **error.fields}
        page = ListingPage(
            items=[], total=0, page=page_request.page, per_page=page_request.per_page
        )
    return render_fragment(
        "listings/_browse_content.html",
        page=page,
        filters=filters,
        problems=problems,
        groups=grouped_categories(),
        facet_url=_facet_url,
    )


def _facet_url(name: str, value: str | None) -> str:
    """This page's address with one filter set (None: removed), back on the first page (a
    facet's link; cheaper than url_for per link)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in (name, "page")]
    if value is not None:
        args.append((name, value))
    return request.script_root + request.path + ("?" + urlencode(args) if args else "")


def _keep_form_photos(form: ListingForm, existing_count: int) -> KeptPhotos | None:
    """Every submit first keeps its uploads, so that a form error does not lose them."""
    csrf = getattr(form, "csrf_token", None)  # absent where CSRF is switched off (tests)
    if not form.is_submitted() or (csrf is not None and csrf.errors):
        return None
    kept, problems = keep_uploads(
        current_user.id,
        form.photo_token.data,
        form.uploads(),
        drop=form.kept_to_drop(),
        existing_count=existing_count,
    )
    form.photo_token.data = kept.token
    copy_errors(form, {"photos": problems} if problems else {})
    return kept


def _attach_kept(kept: KeptPhotos | None) -> list:
    if kept is None:
        return []
    forget_kept_photos(current_user.id, kept)  # once the commit has taken them
    return load_kept_photos(current_user.id, kept)


@bp.route("/listings/new", methods=["GET", "POST"])
@login_required
def new():
    prefill = {k: request.args[k] for k in ("kind", "category") if request.args.get(k)}
    form = ListingForm(categories=grouped_categories(), data=prefill or None)
    valid = form.validate_on_submit()
    kept = _keep_form_photos(form, existing_count=0)
    if valid and not form.photos.errors:
        try:
            listing = create_listing(
                current_user.organisation,
                current_user,
                form.listing_data(),
                kept=_attach_kept(kept),
            )
            db.session.flush()  # the listing's id, for the redirect
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("Your listing is online."), "success")
            return redirect(url_for(".detail", listing_id=listing.id))
    return render_template("listings/form.html", form=form, listing=None, kept=kept)


@bp.get("/listings/<int:listing_id>")
def detail(listing_id: int):
    head, content = listing_page(listing_id)
    return render_template("listings/detail.html", head=head, content=content)


@bp.route("/listings/<int:listing_id>/edit", methods=["GET", "POST"])
@login_required
def edit(listing_id: int):
    listing = get_listing_for_viewer(listing_id, _viewer_org_id())
    try:
        check_can_edit(listing, current_user)
    except InvalidTransition as error:
        flash(error.message, "error")
        return redirect(url_for(".detail", listing_id=listing.id))
    form = ListingForm(categories=grouped_categories(), listing=listing)
    valid = form.validate_on_submit()
    remaining = len(listing.photos) - len(set(form.photo_ids_to_remove()))
    kept = _keep_form_photos(form, existing_count=remaining)
    if valid and not form.photos.errors:
        try:
            update_listing(
                listing,
                current_user,
                form.listing_data(),
                remove_photo_ids=form.photo_ids_to_remove(),
                kept=_attach_kept(kept),
            )
        except ValidationFailed as error:
            db.session.rollback()
            copy_errors(form, error.fields)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".detail", listing_id=listing.id))
    return render_template("listings/form.html", form=form, listing=listing, kept=kept)


@bp.get("/listings/kept-photos/<token>/<name>")
@login_required
def kept_photo(token: str, name: str):
    """A preview of a photo kept from a form with an error: only for the person who uploaded it."""
    path = kept_file_path(current_user.id, token, name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0)
    response.cache_control.private = True
    return response


@bp.post("/listings/<int:listing_id>/withdraw")
@login_required
def withdraw(listing_id: int):
    listing = get_listing_for_viewer(listing_id, _viewer_org_id())
    try:
        withdraw_listing(listing, current_user)
    except InvalidTransition as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_("The listing is withdrawn. Only your organisation still sees it."), "success")
    return redirect(url_for(".detail", listing_id=listing_id))


@bp.get("/listings/mine")
@login_required
def mine():
    status = request.args.get("status")
    status = status if status in STATUSES else "open"
    org_id = current_user.organisation_id
    return render_template(
        "listings/mine.html",
        status=status,
        counts=count_organisation_listings_by_status(org_id),
        listings=list_organisation_listings(org_id, [status], viewer_organisation_id=org_id),
        statuses=STATUSES,
        kinds=KINDS,
    )


@bp.get("/photos/<name>")
def photo(name: str):
    photo = get_photo_for_viewer(name, _viewer_org_id())
    response = send_from_directory(
        current_app.config["UPLOAD_DIR"], name, mimetype="image/jpeg", max_age=PHOTO_CACHE_SECONDS
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    if photo.listing.status in OWNER_ONLY_STATUSES:
        response.cache_control.public = False
        response.cache_control.private = True
    else:
        response.cache_control.public = True
        response.cache_control.immutable = True
    return response
