"""Status on a real database: what the pyramid, the snapshots, the digest and the summary count or nudge
(SPEC §2 "Status", §4), and the status changes a log makes, with their audit rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage
from bot.domain.status import DormantRules, StatusMove
from bot.models import Account, AccountEvent, Activity, PyramidSnapshot
from bot.services import digests, pyramids, snapshots, summaries
from tests.support import factories
from tests.support.ids import OTHER_USER, TEAM, USER

TODAY = factories.TODAY


def _book(session: Session) -> dict[str, Account]:
    """Customers (step `won`) of USER, each quiet 70 days (lapsing, not dormant), with every stored
    status; a prospect quiet 200 days (dormant); one customer of OTHER_USER."""
    quiet = TODAY - timedelta(days=70)
    made = {
        name: factories.quiet_account(session, name, "won", 1, quiet)
        for name in ("Active", "Lost", "Archived", "Merged")
    }
    made["Sleepy"] = factories.quiet_account(session, "Sleepy", "proposed", 0, TODAY - timedelta(days=200))
    made["Theirs"] = factories.quiet_account(session, "Theirs", "won", 1, quiet)
    made["Theirs"].owner_id = OTHER_USER
    made["Lost"].status = "lost"
    made["Archived"].status = "archived"
    made["Merged"].status, made["Merged"].merged_into_id = "merged", made["Active"].id
    session.flush()
    return made


def test_distribution_counts_active_accounts_and_the_others_beside_by_stage(db: Database) -> None:
    with db.transaction() as session:
        _book(session)
    with db.read() as session:
        team = pyramids.distribution_for(session, TEAM, today=TODAY)
        mine = pyramids.distribution_for(session, TEAM, USER, today=TODAY)
        strict = pyramids.distribution_for(session, TEAM, today=TODAY, rules=DormantRules(customer_days=60))
    assert team.by_stage == {Stage.ACQUAINTANCE: 0, Stage.PROSPECT: 0, Stage.CUSTOMER: 2, Stage.REPEATER: 0}
    assert team.outside.dormant == {**dict.fromkeys(Stage, 0), Stage.PROSPECT: 1}
    assert team.outside.lost == {**dict.fromkeys(Stage, 0), Stage.CUSTOMER: 1}
    assert team.outside.archived == {**dict.fromkeys(Stage, 0), Stage.CUSTOMER: 1}
    # Merged is not an account any more: 6 rows, 5 accounts.
    assert team.total + team.outside.total == 5
    assert mine.total == 1 and mine.outside.total == 3
    # The rules are the team's: with 60 days for customers, both active customers are dormant.
    assert strict.by_stage[Stage.CUSTOMER] == 0 and strict.outside.dormant_total == 3


def test_snapshots_count_active_accounts_only(db: Database) -> None:
    with db.transaction() as session:
        _book(session)
    with db.transaction() as session:
        snapshots.write_snapshot(session, TEAM, TODAY)
    with db.read() as session:
        team = snapshots.counts_on(session, TEAM, None, TODAY)
        dist = pyramids.distribution_for(session, TEAM, today=TODAY)
        rows = session.scalars(select(PyramidSnapshot).where(PyramidSnapshot.owner_id == USER)).all()
    assert team == dist.by_stage  # the trend compares like with like
    assert {row.stage: row.count for row in rows}[Stage.CUSTOMER.value] == 1


def test_the_digest_and_the_summary_nudge_stored_active_accounts_only(db: Database) -> None:
    with db.transaction() as session:
        made = _book(session)
        # A proposal 40 days old with no outcome on each customer (stored as such, the last touch kept).
        for name in ("Active", "Lost", "Archived", "Merged"):
            session.add(
                Activity(
                    team_id=TEAM,
                    account_id=made[name].id,
                    user_id=USER,
                    kind=ActivityKind.PROPOSED.value,
                    occurred_on=TODAY - timedelta(days=40),
                    created_at=factories.NOW,
                )
            )
    with db.read() as session:
        digest = digests.digest_for(session, TEAM, USER, TODAY)
        summary = summaries.summary_for(session, TEAM, TODAY)
    # Sleepy is dormant, not lost: the lapsing items are the rep's own win-back list.
    assert {item.account_name for item in digest.lapsing} == {"Active", "Sleepy"}
    assert [item.account_name for item in digest.stalled] == ["Active"]
    quiet = summary.quiet_by_rep[USER]
    assert quiet.lapsing + quiet.dormant == 2


def _events(session: Session, account_id: int) -> list[tuple[str, str, int | None]]:
    rows = session.scalars(select(AccountEvent).where(AccountEvent.account_id == account_id))
    return [(event.kind, event.user_id, event.activity_id) for event in rows]


def test_a_log_changes_the_stored_status_once_with_its_audit_row(db: Database) -> None:
    won = factories.log_in(db, "Acme", ActivityKind.WON)
    lost = factories.log_in(db, "Acme", ActivityKind.LOST, request_key="lost-1")
    assert lost.status_move is StatusMove.LOST and won.status_move is None
    again = factories.log_in(db, "Acme", ActivityKind.LOST, request_key="lost-1")  # Slack's retry
    assert again.duplicate and again.status_move is None
    back = factories.log_in(db, "Acme", ActivityKind.CALL, user=OTHER_USER, on=TODAY + timedelta(1))
    assert back.status_move is StatusMove.REACTIVATED
    with db.read() as session:
        account = session.get_one(Account, won.account.id)
        assert (account.status, account.status_on) == ("active", TODAY)
        assert _events(session, account.id) == [
            ("lost", USER, lost.activity.id),
            ("reactivated", OTHER_USER, back.activity.id),
        ]


def test_a_revisit_date_keeps_a_former_customer_active(db: Database) -> None:
    factories.log_in(db, "Acme", ActivityKind.WON)
    timing = factories.log_in(db, "Acme", ActivityKind.LOST, revisit_on=date(2027, 4, 1))
    assert timing.status_move is None
    with db.read() as session:
        assert session.get_one(Account, timing.account.id).status == "active"
        assert _events(session, timing.account.id) == []


def test_the_indexed_count_agrees_with_the_status_rule_account_by_account(db: Database) -> None:
    """distribution_for counts from indexes (all by step, the silent ones, those stored otherwise);
    judged one account at a time with domain.status.effective_status, a mixed book gives the same."""
    import random

    from bot.domain.stages import LADDER, Step
    from bot.domain.status import AccountStatus, effective_status

    chance = random.Random(11)
    owners = (USER, OTHER_USER, "U0THIRD")
    with db.transaction() as session:
        for index in range(300):
            step = chance.choice(LADDER)
            quiet = TODAY - timedelta(days=chance.choice((0, 30, 89, 90, 91, 179, 180, 181, 364, 365, 400)))
            account = factories.quiet_account(session, f"Account {index:03d}", step.value, 0, quiet)
            account.owner_id = chance.choice(owners)
            account.last_touch_on = None if chance.random() < 0.1 else quiet
            account.created_on = quiet
            account.status = chance.choice(("active",) * 6 + ("lost", "archived", "merged"))
        session.flush()
    rules = DormantRules()
    with db.read() as session:
        rows = session.execute(
            select(Account.owner_id, Account.step, Account.status, Account.last_touch_on, Account.created_on)
        ).all()
        for owner in (None, *owners):
            counted = pyramids.distribution_for(session, TEAM, owner, today=TODAY, rules=rules)
            expected: dict[str, dict[Stage, int]] = {s.value: dict.fromkeys(Stage, 0) for s in AccountStatus}
            for who, step_key, stored, last, created in rows:
                if owner is not None and who != owner:
                    continue
                step = Step(step_key)
                status = effective_status(stored, step.stage, last, created, TODAY, rules)
                expected[status.value][step.stage] += 1
            assert counted.by_stage == expected["active"], owner
            assert counted.outside.dormant == expected["dormant"], owner
            assert counted.outside.lost == expected["lost"], owner
            assert counted.outside.archived == expected["archived"], owner
