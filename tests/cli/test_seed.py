"""`flask seed-demo`: a believable, deterministic demo region that `make run` loads once."""

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from marketplace.auth.models import User
from marketplace.auth.passwords import password_problems, verify_password
from marketplace.cli.seed import DEMO_PASSWORD, seed_demo_region
from marketplace.core.clock import today
from marketplace.core.geo import postcode_coordinates
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

        assert _count(Listing, Listing.kind == "offer") == 80
        assert _count(Listing, Listing.kind == "request") == 40
        statuses = Counter(db.session.execute(select(Listing.status)).scalars())
        assert statuses["open"] > 100 and statuses["expired"] and statuses["withdrawn"]
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
        db.session.rollback()
        return rows, users

    first = snapshot()
    assert not _count(Organisation)  # nothing was committed
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
        assert _count(Organisation) == 25
