"""Concurrent logging over HTTP, signed as Slack signs it: the real app behind waitress with 16 clients,
and (PostgreSQL) two `pyramid-bot serve` processes logging to one account."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.domain.stages import Step
from bot.models import Account, StepChange
from tests.reliability.support import (
    LOGGED,
    Answer,
    ServeProcess,
    account_by_name,
    announcements_posted,
    integrity_problems,
    ladder_problems,
    reply_text,
    report,
    request_keys,
    send,
    stored_for,
    verdict,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import SlackDriver, text_of

TEAM = "T0TEAM1"
ACCOUNTS = ["Alpha Trading", "Bravo Foods", "Charlie Steel", "Delta Logistics"]
CLIENTS = 16
PER_CLIENT = 6
# (command, text after the account name, counters it adds to): a meal is an in-person meeting too.
PLAN = [
    ("/meeting", "visit", ("in_person_meetings",)),
    ("/deal", "won", ("deals_won",)),
    ("/meeting", "call", ("remote_touches",)),
    ("/meeting", "meal", ("meals", "in_person_meetings")),
    ("/deal", "proposed", ("proposals",)),
    ("/deal", "lost", ("deals_lost",)),
]


def _create(driver: SlackDriver, slack: FakeSlack, name: str) -> None:
    answer = send(
        driver, "/meeting", f"{name} call -- first", f"create.{name.replace(' ', '')}.{time.time_ns()}"
    )
    assert verdict(answer, slack, wait=3) == "stored", (answer, reply_text(answer, slack, wait=0))


def _run_clients(
    sends: list[Callable[[], Answer]], clients: int, start_together: bool = True
) -> list[Answer]:
    barrier = threading.Barrier(clients)
    per_client = [sends[index::clients] for index in range(clients)]

    def client(mine: list[Callable[[], Answer]]) -> list[Answer]:
        if start_together:
            barrier.wait(timeout=10)
        return [one() for one in mine]

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(client, mine) for mine in per_client]
        return [answer for future in futures for answer in future.result(timeout=120)]


def test_sixteen_clients_over_http_lose_and_double_nothing(
    http_driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    for name in ACCOUNTS:
        _create(http_driver, slack, name)
    expected: dict[str, Counter[str]] = {name: Counter({"remote_touches": 1}) for name in ACCOUNTS}
    sends: list[Callable[[], Answer]] = []
    wanted: dict[str, tuple[str, tuple[str, ...]]] = {}
    for index in range(CLIENTS * PER_CLIENT):
        name = ACCOUNTS[index % len(ACCOUNTS)]
        command, word, counters = PLAN[(index // len(ACCOUNTS)) % len(PLAN)]
        trigger = f"http.{index}.{time.time_ns()}"
        text = f"{name} {word} -- note {index}"
        wanted[trigger] = (name, counters)
        sends.append(
            lambda command=command, text=text, trigger=trigger: send(http_driver, command, text, trigger)
        )

    answers = _run_clients(sends, CLIENTS)

    assert [a for a in answers if a.status is None or a.status >= 500] == []
    verdicts = {a.trigger_id: verdict(a, slack, wait=3) for a in answers}
    assert Counter(verdicts.values()) == Counter({"stored": len(answers)}), [
        (a.status, a.body[:200]) for a in answers if verdicts[a.trigger_id] != "stored"
    ][:5]
    for answer in answers:
        said = reply_text(answer, slack, wait=0)
        name, _counters = wanted[answer.trigger_id]
        assert name in said, said  # the reply names the account it logged to
    keys = request_keys(db, TEAM)
    assert [t for t in wanted if stored_for(keys, t) != 1] == []
    for name, counters in wanted.values():
        expected[name].update(counters)
    for name in ACCOUNTS:
        account = account_by_name(db, TEAM, name)
        got = {counter: getattr(account, counter) for counter in expected[name]}
        assert got == dict(expected[name]), name
        assert ladder_problems(db, TEAM, account.id) == [], name
    assert integrity_problems(db, TEAM) == []
    slowest = max(answer.elapsed for answer in answers)
    report(
        f"{CLIENTS} HTTP clients: {len(answers)} commands to {len(ACCOUNTS)} accounts, all stored once,"
        f" counters = activities, slowest ack {slowest:.2f} s"
    )


@pytest.mark.usefixtures("postgres_only")
def test_two_serve_processes_logging_to_one_account(
    serve: Callable[..., ServeProcess], slack: FakeSlack, db: Database
) -> None:
    servers = [serve(f"serve-{which}") for which in "ab"]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda server: server.start(), servers))
    drivers = [server.driver(slack) for server in servers]
    _create(drivers[0], slack, "Acme Corp")
    slack.clear()

    meetings, wins = 12, 12
    sends: list[Callable[[], Answer]] = []
    for index in range(meetings + wins):
        command, word = ("/meeting", "visit") if index % 2 == 0 else ("/deal", "won")
        driver = drivers[(index // 2) % 2]
        trigger = f"two.{index}.{time.time_ns()}"
        sends.append(
            lambda driver=driver, command=command, word=word, trigger=trigger, index=index: send(
                driver, command, f"Acme Corp {word} -- two {index}", trigger
            )
        )

    answers = _run_clients(sends, len(sends))

    assert Counter(verdict(a, slack, wait=3) for a in answers) == Counter({"stored": len(answers)}), [
        (a.status, a.problem, a.body[:200]) for a in answers
    ][:5]
    account = account_by_name(db, TEAM, "Acme Corp")
    assert (account.remote_touches, account.in_person_meetings, account.deals_won) == (1, meetings, wins)
    assert account.step == "repeater"
    assert ladder_problems(db, TEAM, account.id) == []
    assert integrity_problems(db, TEAM) == []
    # Stage changes after the first call: to prospect (2nd visit) — unless a win came first —, to
    # customer, to repeater. Each is posted to the team channel once.
    with db.transaction() as session:
        changes = session.execute(
            select(StepChange.from_step, StepChange.to_step).where(StepChange.account_id == account.id)
        ).all()
    stage_changes = sum(
        1 for before, after in changes if Step(before or "name_only").stage != Step(after).stage
    )
    deadline = time.monotonic() + 5
    while len(announcements_posted(slack, "C0TEAM")) < stage_changes and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(announcements_posted(slack, "C0TEAM")) == stage_changes
    report(
        f"two serve processes: {meetings} visits and {wins} wins at once on one account -> meetings"
        f" {account.in_person_meetings}, deals won {account.deals_won}, {len(changes)} step changes,"
        f" {stage_changes} announcements"
    )


def test_one_did_you_mean_answered_by_many_presses_at_once_logs_once(
    http_driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """Eight presses of the buttons of one "did you mean" question (double clicks, two tabs, Slack's
    retries), "use" and "create" mixed, at the same moment: the parked request is logged once."""
    _create(http_driver, slack, "Acme Trading")
    trigger = f"ask.{time.time_ns()}"
    asked = send(http_driver, "/meeting", "Acme Tradin visit -- parked", trigger)
    assert asked.status == 200
    question = http_driver.reply(asked.key)
    assert "Did you mean" in text_of(question), text_of(question)
    presses = 8
    barrier = threading.Barrier(presses)

    def press(index: int) -> tuple[int, str]:
        barrier.wait(timeout=10)
        action = "near_match_use_0" if index % 2 == 0 else "near_match_create"
        sent, key = http_driver.press(question, action)
        return sent.status, text_of(http_driver.reply(key))

    with ThreadPoolExecutor(presses) as pool:
        answers = list(pool.map(press, range(presses)))

    assert [status for status, _said in answers] == [200] * presses
    logged = [said for _status, said in answers if LOGGED.search(said)]
    assert len(logged) == 1, answers
    assert all("already been made" in said for _status, said in answers if not LOGGED.search(said)), answers
    assert stored_for(request_keys(db, TEAM), trigger) == 1
    for name in ("Acme Trading", "Acme Tradin"):
        with db.transaction() as session:
            found = session.scalar(select(Account.id).where(Account.team_id == TEAM, Account.name == name))
        if found is not None:
            assert ladder_problems(db, TEAM, found) == [], name
    assert integrity_problems(db, TEAM) == []
