"""The local currency in the reports: how much circulated in the report's period and scope, in how
many transfers, and how much of it paid for hand-overs and loans. None before the operator set up
a currency, so that nothing of it shows until then.

What counts: the volume is the sum of the transfers' volumes (a reversal subtracts what it undoes),
under the moment each was booked, in the filters' Europe/Berlin period; for an organisation's
scope, the transfers it paid or received. The other filters (category, district, kind of
organisation) describe hand-overs, not payments, and leave the currency's figures as they are.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased

from marketplace.extensions import db
from marketplace.ledger.amounts import from_cents
from marketplace.ledger.models import Account, Transfer
from marketplace.ledger.services import get_currency
from marketplace.reports.exports import BOM, json_number, number
from marketplace.reports.filters import ReportFilters, utc_bounds

_Payer = aliased(Account, name="payer_account")
_Payee = aliased(Account, name="payee_account")


@dataclass(frozen=True)
class CurrencyMonth:
    month: str
    volume: Decimal
    transfers: int
    linked_volume: Decimal
    reversals: int


@dataclass(frozen=True)
class LocalCurrencyFigures:
    """The currency's figures under a report's filters: amounts only, no organisation."""

    code: str
    name: str
    symbol: str
    kind: str
    #: Net of reversals.
    volume: Decimal
    #: Transfers booked, reversals not counted.
    transfers: int
    reversals: int
    #: The part of the volume tied to a hand-over (exchange) or a loan (booking).
    linked_volume: Decimal
    by_month: tuple[CurrencyMonth, ...] = ()

    @property
    def linked_share(self) -> Decimal | None:
        """Percent of the volume tied to hand-overs and loans; None while nothing circulated."""
        if self.volume <= 0:
            return None
        return (self.linked_volume * 100 / self.volume).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def summarise_local_currency(filters: ReportFilters) -> LocalCurrencyFigures | None:
    """The figures of the transfers the filters' period and organisation cover (one query by
    month); None when no currency is set up."""
    currency = get_currency()
    if currency is None:
        return None
    linked = or_(Transfer.exchange_id.is_not(None), Transfer.booking_id.is_not(None))
    is_reversal = Transfer.reverses_id.is_not(None)
    stmt = select(
        Transfer.month,
        func.coalesce(func.sum(Transfer.volume_cents), 0),
        func.coalesce(func.sum(case((linked, Transfer.volume_cents), else_=0)), 0),
        func.count(),
        func.coalesce(func.sum(case((is_reversal, 1), else_=0)), 0),
    ).group_by(Transfer.month)
    start, end = utc_bounds(filters)
    if start is not None:
        stmt = stmt.where(Transfer.created_at >= start)
    if end is not None:
        stmt = stmt.where(Transfer.created_at < end)
    if filters.organisation_id is not None:
        stmt = (
            stmt.join(_Payer, _Payer.id == Transfer.payer_account_id)
            .join(_Payee, _Payee.id == Transfer.payee_account_id)
            .where(
                or_(
                    _Payer.organisation_id == filters.organisation_id,
                    _Payee.organisation_id == filters.organisation_id,
                )
            )
        )
    rows = db.session.execute(stmt.order_by(Transfer.month)).all()
    months = tuple(
        CurrencyMonth(
            month,
            from_cents(int(volume)),
            int(count) - int(reversals),
            from_cents(int(linked_volume)),
            int(reversals),
        )
        for month, volume, linked_volume, count, reversals in rows
    )
    return LocalCurrencyFigures(
        code=currency.code,
        name=currency.name,
        symbol=currency.symbol,
        kind=currency.kind,
        volume=sum((m.volume for m in months), Decimal("0.00")),
        transfers=sum(m.transfers for m in months),
        reversals=sum(m.reversals for m in months),
        linked_volume=sum((m.linked_volume for m in months), Decimal("0.00")),
        by_month=months,
    )


def local_currency_dict(figures: LocalCurrencyFigures) -> dict:
    """The figures for the JSON export (key "local_currency"), numbers as JSON numbers."""
    return {
        "code": figures.code,
        "name": figures.name,
        "symbol": figures.symbol,
        "kind": figures.kind,
        "volume": json_number(figures.volume),
        "transfers": figures.transfers,
        "reversals": figures.reversals,
        "linked_volume": json_number(figures.linked_volume),
        "linked_share_percent": json_number(figures.linked_share),
        "by_month": [
            {
                "month": m.month,
                "volume": json_number(m.volume),
                "transfers": m.transfers,
                "linked_volume": json_number(m.linked_volume),
                "reversals": m.reversals,
            }
            for m in figures.by_month
        ],
    }


LOCAL_CURRENCY_COLUMNS = ("group", "month", "volume", "transfers", "linked_volume", "reversals")


def iter_local_currency_csv(figures: LocalCurrencyFigures) -> Iterator[str]:
    """The total and the months as a CSV (BOM, dot decimals), like the sharing CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LOCAL_CURRENCY_COLUMNS)
    writer.writerow(
        ["total", "", number(figures.volume), figures.transfers]
        + [number(figures.linked_volume), figures.reversals]
    )
    for month in figures.by_month:
        writer.writerow(
            ["month", month.month, number(month.volume), month.transfers]
            + [number(month.linked_volume), month.reversals]
        )
    yield BOM + buffer.getvalue()
