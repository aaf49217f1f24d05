"""The digest's indexed, bounded queries (issue 9) give what a plain reading of the rules gives:
the quietest LAPSING_LIMIT prospects and customers past their days, and every proposal left without a
later win or loss; with the same number of SQL statements per rep however big the team."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from bot.db import Database
from bot.domain.lapse import DEFAULT_RULES, LAPSING_LIMIT, days_quiet, lapse_of
from bot.domain.stages import Step
from bot.models import Account, Activity
from bot.services import digests

TEAM = "T0DIGQ"
REP = "U0REP"
OTHER = "U0OTHER"
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def account(
    session: object,
    account_id: int,
    *,
    owner: str = REP,
    step: Step = Step.PROPOSED,
    last: date | None = None,
    created: date = date(2024, 1, 1),
    proposals: int = 0,
) -> Account:
    row = Account(
        id=account_id,
        team_id=TEAM,
        name=f"Firm {account_id:05d}",
        name_key=f"firm {account_id:05d}",
        owner_id=owner,
        step=step.value,
        last_touch_on=last,
        created_on=created,
        proposals=proposals,
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(row)  # type: ignore[attr-defined]
    return row


def activity(session: object, account_id: int, kind: str, on: date) -> None:
    session.add(  # type: ignore[attr-defined]
        Activity(team_id=TEAM, account_id=account_id, user_id=REP, kind=kind, occurred_on=on, created_at=NOW)
    )


def test_lapsing_is_the_quietest_limit_of_prospects_and_customers_past_their_days(db: Database) -> None:
    rng = random.Random(9)
    steps = list(Step)
    with db.transaction() as session:
        for account_id in range(1, 401):
            step = rng.choice(steps)
            last = (
                None
                if step is Step.NAME_ONLY or rng.random() < 0.1
                else TODAY - timedelta(rng.randrange(400))
            )
            account(
                session,
                account_id,
                step=step,
                last=last,
                created=TODAY - timedelta(rng.randrange(400, 800)),
                owner=REP if account_id % 4 else OTHER,
            )
    with db.transaction() as session:
        rows = session.query(Account).filter(Account.team_id == TEAM, Account.owner_id == REP).all()
        expected_pool = [
            a
            for a in rows
            if (a.current_step.stage.value == 2 and days_quiet(a.last_touch_on, a.created_on, TODAY) >= 30)
            or (a.current_step.stage.value >= 3 and days_quiet(a.last_touch_on, a.created_on, TODAY) >= 60)
        ]
        assert len(expected_pool) > LAPSING_LIMIT  # the limit matters in this test
        quietest = sorted(expected_pool, key=lambda a: (a.last_touch_on or a.created_on, a.id))
        expected = quietest[:LAPSING_LIMIT]
        got = digests.digest_for(session, TEAM, REP, TODAY).lapsing
        assert sorted(item.account_id for item in got) == sorted(a.id for a in expected)
        for item in got:
            found = next(a for a in expected if a.id == item.account_id)
            quiet = days_quiet(found.last_touch_on, found.created_on, TODAY)
            assert (item.quiet_days, item.lapse, item.step) == (
                quiet,
                lapse_of(found.current_step.stage, quiet, DEFAULT_RULES),
                found.current_step,
            )
        # Customers first, then the longest quiet.
        assert [(-i.step.stage.value, -i.quiet_days) for i in got] == sorted(
            (-i.step.stage.value, -i.quiet_days) for i in got
        )


def test_stalled_proposals_are_those_without_a_later_win_or_loss(db: Database) -> None:
    old, recent = TODAY - timedelta(40), TODAY - timedelta(5)
    with db.transaction() as session:
        cases = {
            1: [("proposed", old)],  # stalled
            2: [("proposed", old), ("won", recent)],  # decided
            3: [("won", old - timedelta(100)), ("proposed", old)],  # won earlier, proposed again: stalled
            4: [("proposed", old), ("lost", old + timedelta(1))],  # lost after: decided
            5: [("proposed", recent)],  # too recent
            6: [("proposed", old - timedelta(10)), ("proposed", recent)],  # the last proposal is recent
            7: [("proposed", old - timedelta(3)), ("lost", old - timedelta(2)), ("proposed", old)],  # stalled
            8: [("proposed", old), ("won", old)],  # decided the same day: not stalled
        }
        for account_id, history in cases.items():
            account(session, account_id, proposals=sum(kind == "proposed" for kind, _ in history))
            for kind, on in history:
                activity(session, account_id, kind, on)
        account(session, 9, owner=OTHER, proposals=1)  # someone else's
        activity(session, 9, "proposed", old)
        account(session, 10, proposals=1)  # an imported counter with no proposal logged: nothing to chase
    with db.transaction() as session:
        stalled = digests.digest_for(session, TEAM, REP, TODAY).stalled
    # Oldest proposal first, then by account.
    assert [(item.account_id, item.proposed_on) for item in stalled] == [(1, old), (3, old), (7, old)]


def test_digest_issues_the_same_statements_per_rep_at_any_team_size(db: Database) -> None:
    counts = []
    for size in (10, 300):
        with db.transaction() as session:
            session.query(Activity).delete()
            session.query(Account).delete()
        with db.transaction() as session:
            for account_id in range(1, size + 1):
                account(session, account_id, last=TODAY - timedelta(40 + account_id % 200), proposals=1)
                activity(session, account_id, "proposed", TODAY - timedelta(31 + account_id % 90))
        seen = []

        def count(*_args: object, seen: list[int] = seen) -> None:
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        with db.transaction() as session:
            digest = digests.digest_for(session, TEAM, REP, TODAY)
        event.remove(db.engine, "before_cursor_execute", count)
        assert digest.lapsing and digest.stalled
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 6  # five queries, and the transaction's own
