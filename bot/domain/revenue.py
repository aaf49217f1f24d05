"""Revenue beside counts (issue 11): the method balances effort 1 > 2 > 3 > 4 against revenue
1 < 2 < 3 < 4, so amounts are shown per stage beside the counts.

- Won amounts: the amounts of won deals, per the account's *current* stage, in this calendar year and in
  the last one (the team time zone's calendar: activities carry the local day they happened on).
- Open proposal value: per account, its latest proposal's amount, unless a win or a loss was logged on or
  after that proposal's day (the deal is decided). services/revenue.py says the same in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage


def year_bounds(today: date) -> tuple[date, date, date]:
    """(1 January last year, 1 January this year, 1 January next year) of `today`'s calendar."""
    return date(today.year - 1, 1, 1), date(today.year, 1, 1), date(today.year + 1, 1, 1)


@dataclass(frozen=True)
class Deal:
    """One live deal activity of an account, as far as revenue cares."""

    id: int
    kind: ActivityKind
    on: date
    amount: int | None


@dataclass(frozen=True)
class OpenProposal:
    amount: int
    on: date


def open_proposal(deals: Iterable[Deal]) -> OpenProposal | None:
    """The account's latest proposal (by day, then by id), if it has an amount and no win or loss was
    logged on or after its day."""
    deals = list(deals)
    proposals = [deal for deal in deals if deal.kind is ActivityKind.PROPOSED]
    if not proposals:
        return None
    latest = max(proposals, key=lambda deal: (deal.on, deal.id))
    if latest.amount is None:
        return None
    decided = any(
        deal.kind in (ActivityKind.WON, ActivityKind.LOST) and deal.on >= latest.on for deal in deals
    )
    return None if decided else OpenProposal(amount=latest.amount, on=latest.on)


@dataclass(frozen=True)
class AccountRevenue:
    """One account's won amounts this year and last, and its open proposal (the card)."""

    year: int
    this_year: int = 0
    last_year: int = 0
    open: OpenProposal | None = None


def account_revenue(deals: Iterable[Deal], today: date) -> AccountRevenue:
    deals = list(deals)
    last_start, this_start, next_start = year_bounds(today)
    won = [deal for deal in deals if deal.kind is ActivityKind.WON and deal.amount is not None]
    return AccountRevenue(
        year=today.year,
        this_year=sum(deal.amount or 0 for deal in won if this_start <= deal.on < next_start),
        last_year=sum(deal.amount or 0 for deal in won if last_start <= deal.on < this_start),
        open=open_proposal(deals),
    )


@dataclass(frozen=True)
class StageRevenue:
    this_year: int = 0
    last_year: int = 0
    open_value: int = 0
    open_count: int = 0  # accounts with an open proposal that carries an amount


@dataclass(frozen=True)
class Revenue:
    """Per stage (the accounts' current stage): won this year, won last year, open proposal value."""

    year: int
    by_stage: Mapping[Stage, StageRevenue] = field(default_factory=dict)

    def of(self, stage: Stage) -> StageRevenue:
        return self.by_stage.get(stage, StageRevenue())

    @property
    def total(self) -> StageRevenue:
        parts = [self.of(stage) for stage in Stage]
        return StageRevenue(
            this_year=sum(part.this_year for part in parts),
            last_year=sum(part.last_year for part in parts),
            open_value=sum(part.open_value for part in parts),
            open_count=sum(part.open_count for part in parts),
        )

    @property
    def empty(self) -> bool:
        total = self.total
        return not (total.this_year or total.last_year or total.open_value)
