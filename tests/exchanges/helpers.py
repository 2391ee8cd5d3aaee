"""Builders shared by the exchange tests (service, web and API): two organisations and an offer."""

from dataclasses import dataclass
from decimal import Decimal

from marketplace.auth.models import User
from marketplace.extensions import db
from marketplace.listings.models import Listing
from tests import factories


@dataclass
class Parties:
    provider: User
    receiver: User
    offer: Listing


def parties(
    quantity="40",
    unit="piece",
    category="pallets",
    price="0",
    receiver_locale="de",
    provider_locale="de",
    **offer_kw,
) -> Parties:
    """A carpentry offering `quantity` `unit` and a youth workshop that wants some."""
    giver_org = factories.organisation(
        name="Tischlerei Holzwurm", postcode="10115", district="Mitte"
    )
    taker_org = factories.organisation(
        name="Jugendwerkstatt Wedding",
        kind="association",
        postcode="13353",
        district="Wedding",
        lat=52.5429,
        lon=13.3517,
    )
    provider = factories.user(organisation=giver_org, name="Greta Geber", locale=provider_locale)
    receiver = factories.user(organisation=taker_org, name="Nils Nehmer", locale=receiver_locale)
    offer = factories.listing(
        organisation=giver_org,
        quantity=Decimal(quantity),
        unit=unit,
        category=factories.category(category),
        price_eur=Decimal(price),
        **offer_kw,
    )
    return Parties(provider, receiver, offer)


def fresh(obj):
    """The object as the database has it now (services change rows with conditional UPDATEs)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# Web and API tests keep no app context open while the test client runs requests: a request
# would share it (and its session, `g` and login cache) with the test. They build rows in an app
# context of their own and keep detached copies with everything they need already loaded.


def _detach(obj):
    """Load the row and its eagerly joined relationships (organisation, category) now."""
    db.session.refresh(obj)
    return obj


def outside(app, build, *args, **kwargs):
    """Run `build` in an app context of its own; its result comes back detached and loaded."""
    with app.app_context():
        result = build(*args, **kwargs)
        parts = (
            [result.provider, result.receiver, result.offer]
            if isinstance(result, Parties)
            else [result]
        )
        for obj in parts:
            _detach(obj)
        db.session.expunge_all()
        db.session.remove()
    return result


def load(app, model, ident):
    """A detached, loaded copy of a row as the database has it now."""
    with app.app_context():
        obj = db.session.get(model, ident)
        if obj is not None:
            _detach(obj)
        db.session.expunge_all()
        db.session.remove()
    return obj


def change(app, model, ident, **values):
    """Set columns of a row directly (e.g. an offer that expired meanwhile)."""
    with app.app_context():
        obj = db.session.get(model, ident)
        for name, value in values.items():
            setattr(obj, name, value)
        db.session.commit()
        db.session.remove()
