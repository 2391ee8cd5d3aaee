"""Each page's SQL statements are bounded and do not grow with the data (issue 14): a page that
starts to load per listing, per exchange or per organisation fails here before users feel it."""

import pytest
from sqlalchemy import event

from marketplace.extensions import db
from tests.pages.test_home import _hand_over, add_photo_row

#: page -> (who, most statements). Measured when the guard was written; lower is welcome.
BUDGETS = {
    "/": ("anonymous", 10),
    "/listings": ("member", 8),
    "/listings?q=Europaletten": ("member", 9),
    "/listings/{listing}": ("member", 14),
    "/start": ("member", 18),
    "/exchanges": ("member", 10),
    "/reports": ("coordinator", 22),
    "/api/v1/map.geojson": ("anonymous", 5),
    "/orgs/{org}": ("anonymous", 12),
}


def _count(app, client, path: str) -> list[str]:
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split())[:160])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = client.get(path)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.status_code)
    return statements


def _more_of_everything(make, member, scale: int) -> None:
    for n in range(scale):
        add_photo_row(make.listing(title=f"Europaletten Posten {scale}-{n}"))
        make.listing(
            kind="request", title=f"Suche Europaletten {n}", organisation=member.organisation
        )
    for _ in range(max(1, scale // 3)):
        exchange = _hand_over(make, "2")
        exchange.receiver_id = member.organisation_id  # the member's organisation's inbox grows
    db.session.commit()


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_page_statements_are_bounded_and_flat(app, client, make, login_as, quiet_sweeps, page):
    member = make.user()
    coordinator = make.user(role="coordinator")
    first = make.listing(title="Europaletten Erstling", organisation=make.organisation())
    _more_of_everything(make, member, 2)
    who, budget = BUDGETS[page]
    if who != "anonymous":
        login_as(member if who == "member" else coordinator)
    path = page.format(listing=first.id, org=first.organisation_id)
    _count(app, client, path)  # the first request fills what is kept per process
    few = _count(app, client, path)
    _more_of_everything(make, member, 8)
    _count(app, client, path)  # caches kept per data version fill again
    many = _count(app, client, path)
    assert len(few) <= budget, f"{path}: {len(few)} statements, budget {budget}: {few}"
    extra = [s for s in set(many) if many.count(s) > few.count(s)]
    assert len(many) == len(few), f"{path}: {len(many) - len(few)} more with more data: {extra}"
