"""Revenue per stage, the flow figures and retention at 1, 2 and 3 years on a real, migrated database
(SQLite; PostgreSQL when PYRAMID_TEST_DATABASE_URL is set): the SQL says what bot/domain says."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update

from bot.db import Database
from bot.domain.health import RetentionPoint
from bot.domain.revenue import OpenProposal, StageRevenue
from bot.domain.stages import Stage, Step
from bot.domain.status import DEFAULT_DORMANT_RULES, AccountStatus, effective_status
from bot.models import Account, AccountEvent, Activity
from bot.services import analytics, flow, pyramids, revenue, snapshots
from tests.support import factories
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER

TODAY = date(2026, 11, 22)


def at(day: date) -> dict[str, object]:
    """A log made on `day` (its step change is dated then too)."""
    return {"on": day, "today": day, "now": datetime.combine(day, time(1), tzinfo=UTC)}


def deal(db: Database, name: str, kind: str, day: date, amount: int | None = None, **given: object) -> int:
    logged = factories.log_in(db, name, kind, amount=amount, **at(day), **given)
    return logged.activity.id


def delete_activity(db: Database, activity_id: int) -> None:
    """As a correction leaves it: kept, marked deleted."""
    with db.transaction() as session:
        session.execute(
            update(Activity)
            .where(Activity.id == activity_id)
            .values(deleted_at=datetime(2026, 11, 21, tzinfo=UTC), deleted_by=USER)
        )


def test_won_amounts_by_calendar_year_and_open_proposals_by_stage(db: Database) -> None:
    # Repeater (three wins): 2024's does not count, 2025's is last year's, 2026's this year's.
    deal(db, "Acme", "won", date(2024, 12, 31), 7)
    deal(db, "Acme", "won", date(2025, 6, 1), 500_000)
    deal(db, "Acme", "won", date(2026, 3, 1), 1_000_000)
    # Prospect: its latest proposal is open (not the sum of both).
    deal(db, "Beta", "proposed", date(2026, 10, 1), 300_000)
    deal(db, "Beta", "proposed", date(2026, 11, 1), 400_000)
    # Customer: the proposal was won, so it is no longer open.
    deal(db, "Gamma", "proposed", date(2026, 10, 1), 200_000)
    deal(db, "Gamma", "won", date(2026, 10, 15), 200_000)
    # Prospect: proposed, then lost.
    deal(db, "Delta", "proposed", date(2026, 11, 10), 100_000)
    deal(db, "Delta", "lost", date(2026, 11, 12))
    # A win deleted by a correction counts for nothing; nor does its proposal's decision.
    deal(db, "Eps", "proposed", date(2026, 11, 1), 60_000)
    delete_activity(db, deal(db, "Eps", "won", date(2026, 11, 20), 900_000))
    # Another rep's win, and another team's.
    deal(db, "Zeta", "won", date(2026, 5, 1), 50_000, user=OTHER_USER)
    deal(db, "Elsewhere", "won", date(2026, 5, 1), 10_000_000, team=OTHER_TEAM)

    with db.transaction() as session:
        team = revenue.revenue_for(session, TEAM, None, TODAY)
        mine = revenue.revenue_for(session, TEAM, USER, TODAY)
        per_account = {
            account.name: revenue.revenue_of_account(session, TEAM, account.id, TODAY)
            for account in session.query(Account).filter(Account.team_id == TEAM)
        }
    assert team.year == 2026
    assert team.of(Stage.REPEATER) == StageRevenue(this_year=1_000_000, last_year=500_000)
    # Gamma's win and Zeta's; Eps (a customer by its step, its win deleted) adds its open proposal.
    assert team.of(Stage.CUSTOMER) == StageRevenue(this_year=250_000, open_value=60_000, open_count=1)
    assert team.of(Stage.PROSPECT) == StageRevenue(open_value=400_000, open_count=1)
    assert team.of(Stage.ACQUAINTANCE) == StageRevenue()
    assert mine.of(Stage.CUSTOMER) == StageRevenue(this_year=200_000, open_value=60_000, open_count=1)

    # The card's rule (bot.domain.revenue over one account's deals) agrees with the SQL, account by account.
    assert per_account["Beta"].open == OpenProposal(400_000, date(2026, 11, 1))
    assert per_account["Gamma"].open is None and per_account["Delta"].open is None
    assert per_account["Eps"].open == OpenProposal(60_000, date(2026, 11, 1))
    assert per_account["Acme"].this_year == 1_000_000 and per_account["Acme"].last_year == 500_000
    assert sum(r.this_year for r in per_account.values()) == team.total.this_year
    assert sum(r.last_year for r in per_account.values()) == team.total.last_year
    assert sum(r.open.amount for r in per_account.values() if r.open) == team.total.open_value


def test_new_acquaintances_per_week_against_the_trailing_weeks(db: Database) -> None:
    for days_ago, name in (
        (0, "Today"),
        (6, "Six"),
        (7, "Seven"),
        (20, "Twenty"),
        (62, "Ninth"),
        (63, "Old"),
    ):
        deal(db, name, "call", TODAY - timedelta(days_ago))
    deal(db, "Theirs", "call", TODAY, user=OTHER_USER)
    deal(db, "Merged", "call", TODAY)
    deal(db, "Elsewhere", "call", TODAY, team=OTHER_TEAM)
    with db.transaction() as session:
        session.execute(
            update(Account).where(Account.name == "Merged").values(status=AccountStatus.MERGED.value)
        )
    with db.transaction() as session:
        team = flow.flow_for(session, TEAM, None, TODAY)
        mine = flow.flow_for(session, TEAM, USER, TODAY)
    # An account merged into another since was still a new acquaintance when it came.
    assert team.new_by_week == (4, 1, 1, 0, 0, 0, 0, 0, 1)
    assert mine.new_by_week == (3, 1, 1, 0, 0, 0, 0, 0, 1)
    assert team.new_average == 3 / 8


def test_accounts_going_dormant_per_week_agree_with_the_status_rule(db: Database) -> None:
    rules = DEFAULT_DORMANT_RULES
    quiet = {
        # name: (step, days since the last touch)
        "Prospect182": ("met_twice", 182),  # dormant 2 days ago (180-day threshold)
        "Customer95": ("won", 95),  # dormant 5 days ago
        "Customer96": ("repeat", 96),  # dormant 6 days ago
        "Customer97": ("won", 97),  # dormant 7 days ago: the week before
        "Customer103": ("won", 103),  # dormant 13 days ago: the week before
        "Customer104": ("won", 104),  # dormant 14 days ago: beyond the two weeks
        "Acquaintance365": ("met", 365),  # dormant today
        "Customer80": ("won", 80),  # not yet
        "Repeater200": ("repeater", 200),  # dormant 110 days ago: beyond the window
        "LostCustomer": ("won", 95),  # stored lost: not "going dormant"
    }
    with db.transaction() as session:
        for name, (step, days) in quiet.items():
            factories.quiet_account(session, name, step, 1, TODAY - timedelta(days))
        session.execute(
            update(Account).where(Account.name == "LostCustomer").values(status=AccountStatus.LOST.value)
        )
    with db.transaction() as session:
        found = flow.flow_for(session, TEAM, None, TODAY, rules=rules)
        accounts = session.query(Account).filter(Account.team_id == TEAM).all()
        dormant_now = {
            a.name
            for a in accounts
            if effective_status(a.status, Step(a.step).stage, a.last_touch_on, a.created_on, TODAY, rules)
            is AccountStatus.DORMANT
        }
    assert found.dormant_by_week == (4, 2)
    # Every account counted as gone dormant is dormant by the status rule.
    assert dormant_now == {
        "Prospect182",
        "Customer95",
        "Customer96",
        "Customer97",
        "Customer103",
        "Customer104",
        "Acquaintance365",
        "Repeater200",
    }


def test_open_recoveries_and_the_age_of_the_oldest(db: Database) -> None:
    with db.transaction() as session:
        account = factories.quiet_account(session, "Acme", "won", 1, TODAY)
        old = factories.recovery(session, account, "broken shipment")
        young = factories.recovery(session, account, "late invoice")
        closed = factories.recovery(session, account, "wrong colour")
        session.flush()
        old.opened_on = TODAY - timedelta(46)
        young.opened_on, young.status = TODAY - timedelta(7), "responded"
        closed.opened_on, closed.status = TODAY - timedelta(90), "recovered"
    with db.transaction() as session:
        assert flow.open_recoveries(session, TEAM, None, TODAY) == (2, TODAY - timedelta(46), 1)
        assert flow.open_recoveries(session, TEAM, OTHER_USER, TODAY) == (0, None, 0)
        found = flow.flow_for(session, TEAM, None, TODAY)
    assert (found.open_recoveries, found.oldest_recovery_days, found.overdue_recoveries) == (2, 46, 1)


def test_retention_at_one_two_and_three_years_live_and_from_the_stored_figures(db: Database) -> None:
    deal(db, "Ancient", "won", date(2023, 6, 1))  # a customer for three years, untouched since
    deal(db, "Older", "won", date(2024, 6, 1))  # two years, untouched since
    deal(db, "Old", "won", date(2025, 6, 1))  # one year, touched lately
    deal(db, "Old", "visit", TODAY - timedelta(10))
    deal(db, "New", "won", date(2026, 6, 1))  # not a customer long enough
    expected = (RetentionPoint(1, 3, 1), RetentionPoint(2, 2, 0), RetentionPoint(3, 1, 0))
    with db.transaction() as session:
        live = analytics.retention_points(analytics.retention_years(session, TEAM, None, TODAY))
        dist = pyramids.distribution_for(session, TEAM, None, today=TODAY)
        before = analytics.analytics_for(session, TEAM, None, dist, TODAY)
    assert live == expected
    assert before.flow is not None and before.flow.retention == expected
    with db.transaction() as session:
        snapshots.write_snapshot(session, TEAM, TODAY)
    with db.transaction() as session:
        stored = analytics.stored_figures(session, TEAM, None, TODAY)
        assert stored is not None
        assert analytics.retention_points(stored.retention_years) == expected
        after = analytics.analytics_for(session, TEAM, USER, dist, TODAY)
    assert after.flow is not None and after.flow.retention == expected  # all USER's
    assert after.retention.customers == 3 and after.retention.active == 1


def test_the_teams_revenue_is_read_again_after_any_write(db: Database) -> None:
    """The team's revenue is remembered between two writes (services/revenue._state): a new win, and a
    correction (an edited amount, recorded as an account event as corrections are), show at once."""
    won = deal(db, "Acme", "won", date(2026, 3, 1), 1_000)

    def team_this_year() -> int:
        with db.transaction() as session:
            return revenue.revenue_for(session, TEAM, None, TODAY).total.this_year

    assert team_this_year() == 1_000
    assert team_this_year() == 1_000  # remembered: the same answer
    deal(db, "Beta", "won", date(2026, 4, 1), 20)
    assert team_this_year() == 1_020
    with db.transaction() as session:
        session.execute(
            update(Activity)
            .where(Activity.id == won)
            .values(amount=3_000, edited_at=datetime(2026, 11, 22, tzinfo=UTC), edited_by=USER)
        )
        account_id = session.get(Activity, won).account_id  # type: ignore[union-attr]
        session.add(
            AccountEvent(
                team_id=TEAM,
                account_id=account_id,
                kind="edit",
                user_id=USER,
                at=datetime(2026, 11, 22, tzinfo=UTC),
                activity_id=won,
            )
        )
    assert team_this_year() == 3_020
