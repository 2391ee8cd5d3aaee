"""`flask seed-demo`: a believable, deterministic demo region that `make run` loads once."""

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.auth.passwords import password_problems, verify_password
from marketplace.cli.seed import DEMO_PASSWORD, load_demo_data, seed_demo_region
from marketplace.cli.seed_bookings import OFFERS as SHARED_OFFERS
from marketplace.core.clock import today, utcnow
from marketplace.core.geo import postcode_coordinates
from marketplace.directory.models import OrganisationFunction, OrganisationSite
from marketplace.exchanges.models import Exchange, ExchangeEvent, ExchangeMessage
from marketplace.exchanges.queries import count_unread_exchanges
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import ORGANISATION_KINDS, Organisation


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_seed_demo_creates_a_believable_region(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert "koordination@demo.stoffwechsel.local" in result.output

    with app.app_context():
        organisations = db.session.execute(select(Organisation)).scalars().all()
        assert 20 <= len(organisations) <= 30
        assert {o.kind for o in organisations} == set(ORGANISATION_KINDS)
        for org in organisations:
            assert org.postcode.startswith("04") and org.district
            assert (org.lat, org.lon) == postcode_coordinates(org.postcode)

        data = load_demo_data()
        claims = sum(len(row["functions"]) for row in data["organisations"])
        summary = f"{len(organisations)} organisations ({claims} functions, 3 further sites)"
        assert summary in result.output
        assert len(data["offers"]) == 82 and len(data["requests"]) == 40
        # The offers of earlier months that the exchange history took, and those lent or booked.
        offers = len(data["offers"]) + len(data["past_offers"]) + len(SHARED_OFFERS)
        assert _count(Listing, Listing.kind == "offer") == offers
        assert _count(Listing, Listing.kind == "request") == 40
        statuses = Counter(db.session.execute(select(Listing.status)).scalars())
        assert statuses["open"] > 100 and statuses["expired"] and statuses["withdrawn"]
        assert statuses["closed"] and statuses["reserved"]
        for listing in db.session.execute(
            select(Listing).where(Listing.status == "expired")
        ).scalars():
            assert listing.available_until < today() and listing.ended_at is not None
        assert not _count(Listing, Listing.status == "open", Listing.available_until < today())

        people = db.session.execute(select(User)).scalars().all()
        orgs_with_people = {u.organisation_id for u in people}
        assert orgs_with_people == {o.id for o in organisations}
        coordinator = next(u for u in people if u.email == "koordination@demo.stoffwechsel.local")
        member = next(u for u in people if u.email == "mitglied@demo.stoffwechsel.local")
        assert (coordinator.role, member.role) == ("coordinator", "member")
        assert verify_password(member.password_hash, DEMO_PASSWORD)
        assert len({u.password_hash for u in people}) == 1  # hashed once, argon2 is slow


def test_demo_password_is_one_a_user_could_choose(app_ctx):
    assert password_problems(DEMO_PASSWORD) == []


def test_seed_is_deterministic(app_ctx):
    now = datetime(2026, 3, 2, 9, 30)

    def snapshot():
        seed_demo_region(now=now, password_hash="not-a-real-hash")
        rows = db.session.execute(
            select(
                Organisation.name,
                Listing.kind,
                Listing.title,
                Listing.quantity,
                Listing.unit,
                Listing.price_eur,
                Listing.status,
                Listing.created_at,
                Listing.available_until,
            )
            .join(Listing.organisation)
            .order_by(Listing.id)
        ).all()
        users = db.session.execute(select(User.email, User.created_at).order_by(User.id)).all()
        exchanges = db.session.execute(
            select(
                Listing.title,
                Organisation.name,
                Exchange.status,
                Exchange.quantity,
                Exchange.quantity_completed,
                Exchange.mass_kg,
                Exchange.co2e_avoided_kg,
                Exchange.created_at,
                Exchange.accepted_at,
                Exchange.completed_at,
            )
            .join(Listing, Listing.id == Exchange.offer_id)
            .join(Organisation, Organisation.id == Exchange.receiver_id)
            .order_by(Exchange.id)
        ).all()
        events = db.session.execute(
            select(User.email, ExchangeEvent.action, ExchangeEvent.created_at)
            .join(User, User.id == ExchangeEvent.actor_id)
            .order_by(ExchangeEvent.id)
        ).all()
        remaining = db.session.execute(
            select(Listing.quantity_remaining, Listing.updated_at, Listing.ended_at).order_by(
                Listing.id
            )
        ).all()
        functions = db.session.execute(
            select(
                Organisation.name,
                OrganisationFunction.code,
                OrganisationFunction.created_at,
                OrganisationFunction.verified_at,
            )
            .join(Organisation, Organisation.id == OrganisationFunction.organisation_id)
            .order_by(OrganisationFunction.id)
        ).all()
        sites = db.session.execute(
            select(
                OrganisationSite.name, OrganisationSite.postcode, OrganisationSite.created_at
            ).order_by(OrganisationSite.id)
        ).all()
        db.session.rollback()
        return rows, users, exchanges, events, remaining, functions, sites

    first = snapshot()
    assert not _count(Organisation)  # nothing was committed
    assert len(first[2]) == 37
    assert first == snapshot()


def test_if_empty_is_a_no_op_the_second_time(app, runner):
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    with app.app_context():
        before = (_count(Organisation), _count(User), _count(Listing))

    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0
    assert "not loaded" in second.output
    with app.app_context():
        assert (_count(Organisation), _count(User), _count(Listing)) == before


def test_if_empty_leaves_a_region_with_real_organisations_alone(runner, make):
    make.organisation(name="Echte Tischlerei")
    # The command runs in the test's app context (and session) here.
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert _count(Organisation) == 1 and not _count(Listing)


def test_loading_the_demo_twice_is_refused(app, runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0
    assert "already" in again.output
    with app.app_context():
        assert _count(Organisation) == 26


# --- exchanges -------------------------------------------------------------------------------


def _seed(app, runner) -> str:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _all(model, *where, order=None):
    statement = select(model).where(*where)
    if order is not None:
        statement = statement.order_by(order)
    return db.session.execute(statement).unique().scalars().all()


def test_seed_hands_over_30_times_spread_over_the_last_year(app, runner):
    output = _seed(app, runner)
    now = utcnow()

    with app.app_context():
        completed = _all(Exchange, Exchange.status == "completed", order=Exchange.completed_at)
        assert len(completed) == 30
        assert all(now - timedelta(days=365) <= e.completed_at <= now for e in completed)
        months = {e.completed_at.strftime("%Y-%m") for e in completed}
        assert len(months) >= 11  # every month of the last year, give or take the edges
        assert (completed[-1].completed_at - completed[0].completed_at).days > 300

        for e in completed:
            assert e.provider_id != e.receiver_id
            assert e.offer.organisation_id == e.provider_id
            assert e.offer.created_at <= e.created_at < e.accepted_at < e.completed_at
            assert e.updated_at == e.completed_at
            events = _all(ExchangeEvent, ExchangeEvent.exchange_id == e.id, order=ExchangeEvent.seq)
            assert [(ev.action, ev.created_at) for ev in events] == [
                ("propose", e.created_at),
                ("accept", e.accepted_at),
                ("complete", e.completed_at),
            ]
            assert events[0].actor_organisation_id == e.receiver_id
            assert events[1].actor_organisation_id == e.provider_id
            assert events[2].actor_organisation_id in (e.provider_id, e.receiver_id)

        # The summary line reports the exchanges with their total kg and kg CO2e.
        mass = sum(e.mass_kg for e in completed if e.mass_kg is not None)
        co2e = sum(e.co2e_avoided_kg for e in completed if e.co2e_avoided_kg is not None)
        assert "37 exchanges (30 completed:" in output
        assert f"{mass:,.0f} kg reused, {co2e:,.0f} kg CO2e avoided" in output


def test_seeded_reuse_records_are_the_productions_own(app, runner):
    _seed(app, runner)

    with app.app_context():
        completed = _all(Exchange, Exchange.status == "completed")
        with_mass = [e for e in completed if e.mass_kg is not None]
        space = [e for e in completed if e.mass_basis is None]
        assert len(with_mass) + len(space) == 30
        for e in with_mass:
            assert e.mass_kg > 0 and e.co2e_avoided_kg > 0
            assert e.co2e_avoided_kg == (e.mass_kg * e.co2e_factor).quantize(Decimal("0.001"))
            assert e.co2e_factor == e.category.co2e_factor
            assert e.factor_source == e.category.factor_source
            assert e.factor_version == e.category.taxonomy_version
        pallets = next(e for e in with_mass if e.category.slug == "pallets")
        assert pallets.mass_kg == pallets.quantity_completed * 25  # the category's weight

        # A meeting room by the hour, workshop days and storage space by m2 x days.
        assert len(space) >= 4
        assert any(e.space_hours and e.category.slug == "meeting-rooms" for e in space)
        assert any(e.space_days for e in space)
        assert any(e.space_m2_days for e in space)
        assert all(e.mass_kg is None and e.co2e_avoided_kg is None for e in space)

        slugs = {e.category.slug for e in completed}
        assert {"pallets", "wood", "office-furniture", "it", "textiles"} <= slugs
        assert slugs & {"insulation", "bricks", "plasterboard", "concrete"}

        weighed = [e for e in completed if e.mass_basis == "weighed"]
        assert len(weighed) >= 3
        assert sum(1 for e in completed if e.quantity < e.offer.quantity) >= 15  # partial claims
        assert any(e.quantity_completed < e.quantity for e in completed)  # less handed over
        assert sum(1 for e in completed if e.request_id is not None) >= 5
        assert all(e.request.organisation_id == e.receiver_id for e in completed if e.request)
        priced = [e for e in completed if e.value_eur > 0]
        assert 2 <= len(priced) <= 5
        assert all(e.value_eur == e.offer.price_eur * e.quantity_completed for e in priced)
        assert sum(1 for e in completed if e.value_eur == 0) >= 25
        assert sum(1 for e in completed if e.transport_mode) >= 3


def test_seed_leaves_live_exchanges_for_the_inboxes(app, runner):
    _seed(app, runner)

    with app.app_context():
        live = Counter(
            db.session.execute(
                select(Exchange.status).where(Exchange.status != "completed")
            ).scalars()
        )
        assert live == {"proposed": 3, "accepted": 2, "declined": 1, "cancelled": 1}
        for e in _all(Exchange, Exchange.status == "accepted"):
            assert e.accepted_at is not None and e.completed_at is None
        for e in _all(Exchange, Exchange.status == "declined"):
            assert e.declined_at is not None and e.accepted_at is None
        cancelled = _all(Exchange, Exchange.status == "cancelled")[0]
        assert cancelled.accepted_at < cancelled.cancelled_at  # reserved, then given back
        recent = utcnow() - timedelta(days=11)
        assert all(e.created_at >= recent for e in _all(Exchange, Exchange.status != "completed"))

        member = db.session.execute(
            select(User).where(User.email == "mitglied@demo.stoffwechsel.local")
        ).scalar_one()
        org = member.organisation_id
        mine = _all(Exchange, (Exchange.provider_id == org) | (Exchange.receiver_id == org))
        assert len(mine) >= 4
        assert any(e.status == "completed" for e in mine)
        assert any(e.status == "proposed" and e.provider_id == org for e in mine)
        assert any(e.proposed_by_id == member.id for e in mine)
        assert count_unread_exchanges(member) >= 1
        # History is read; only what happened in the last days is news.
        for user in _all(User):
            assert count_unread_exchanges(user) <= 2
        assert _count(ExchangeMessage) >= 1


def test_seed_keeps_every_offer_within_its_quantity(app, runner):
    _seed(app, runner)

    with app.app_context():
        taken: dict[int, Decimal] = defaultdict(Decimal)
        accepted: dict[int, int] = defaultdict(int)
        for e in _all(Exchange):
            if e.status == "accepted":
                taken[e.offer_id] += e.quantity
                accepted[e.offer_id] += 1
            elif e.status == "completed":
                taken[e.offer_id] += e.quantity_completed
        now = utcnow()
        for offer in _all(Listing, Listing.kind == "offer"):
            assert taken[offer.id] <= offer.quantity, offer.title
            assert offer.quantity_remaining == offer.quantity - taken[offer.id], offer.title
            if offer.quantity_remaining == 0 and offer.status in ("open", "reserved", "closed"):
                assert offer.status == ("reserved" if accepted[offer.id] else "closed")
            assert offer.created_at <= offer.updated_at <= now
        # Offers of earlier months were last changed back then, not when the demo was loaded.
        past = [row["title"] for row in load_demo_data()["past_offers"]]
        for offer in _all(Listing, Listing.title.in_(past)):
            assert offer.status in ("closed", "expired", "withdrawn")
            assert offer.updated_at < now - timedelta(days=7), offer.title
            assert offer.available_until < today()
        for request in _all(Listing, Listing.kind == "request"):
            assert 0 <= request.quantity_remaining <= request.quantity
            assert request.created_at <= request.updated_at <= now
        # A request whose need was met closed; one that was partly met still asks for the rest.
        closed = _all(Listing, Listing.kind == "request", Listing.status == "closed")
        assert closed and all(r.quantity_remaining == 0 for r in closed)
        assert any(
            0 < r.quantity_remaining < r.quantity for r in _all(Listing, Listing.kind == "request")
        )


def test_seeding_mails_nobody(app, runner, outbox):
    _seed(app, runner)
    assert outbox == []
    with app.app_context():
        assert _count(Exchange) == 37  # the services ran, and queued notices were dropped
