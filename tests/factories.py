"""Factories for tests: each returns a committed object with believable German data."""

from datetime import timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.categories.models import Category
from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.listings.models import Listing
from marketplace.orgs.models import Organisation

#: A password every factory user has; hashed once per process because argon2 is slow on purpose.
PASSWORD = "Kompost-Regal-42"
_hash_cache: dict[str, str] = {}


def _password_hash() -> str:
    if PASSWORD not in _hash_cache:
        from marketplace.auth.passwords import hash_password

        _hash_cache[PASSWORD] = hash_password(PASSWORD)
    return _hash_cache[PASSWORD]


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(_Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Tischlerei Holzwurm {n}")
    kind = "business"
    postcode = "10115"
    district = "Mitte"
    lat = 52.5321
    lon = 13.3847


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = factory.LazyFunction(_password_hash)
    role = "member"
    locale = "en"
    organisation = factory.SubFactory(OrganisationFactory)


def category(slug: str = "pallets") -> Category:
    return db.session.execute(select(Category).where(Category.slug == slug)).scalar_one()


class ListingFactory(_Base):
    class Meta:
        model = Listing

    kind = "offer"
    title = factory.Sequence(lambda n: f"Europaletten aus dem Lager {n}")
    description = "Gut erhaltene EUR-Paletten, abzuholen im Hof."
    category = factory.LazyFunction(category)
    quantity = Decimal("40")
    quantity_remaining = factory.LazyAttribute(lambda o: o.quantity)
    unit = "piece"
    kg_per_unit = None
    condition = "good"
    price_eur = Decimal("0")
    postcode = "10115"
    district = "Mitte"
    lat = 52.5321
    lon = 13.3847
    available_until = factory.LazyFunction(lambda: today() + timedelta(days=30))
    status = "open"
    organisation = factory.SubFactory(OrganisationFactory)


def organisation(**kw) -> Organisation:
    return OrganisationFactory(**kw)


def user(**kw) -> User:
    return UserFactory(**kw)


def listing(**kw) -> Listing:
    return ListingFactory(**kw)


def organisation_function(org: Organisation, code: str, note: str = "", verified: bool = False):
    """A claimed function (A-H) of an organisation, confirmed now when `verified`."""
    from marketplace.core.clock import utcnow
    from marketplace.directory.models import OrganisationFunction

    row = OrganisationFunction(
        organisation_id=org.id, code=code, note=note, verified_at=utcnow() if verified else None
    )
    db.session.add(row)
    db.session.commit()
    return row


def organisation_site(org: Organisation, name: str, postcode: str, district: str | None = None):
    """A further place of an organisation at its postcode's coordinates."""
    from marketplace.core.geo import postcode_coordinates
    from marketplace.directory.models import OrganisationSite

    lat, lon = postcode_coordinates(postcode)
    site = OrganisationSite(
        organisation_id=org.id, name=name, postcode=postcode, district=district, lat=lat, lon=lon
    )
    db.session.add(site)
    db.session.commit()
    return site
