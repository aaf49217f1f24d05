"""`pyramid-bot serve` killed under load (SIGKILL at seeded random moments, restarted each time) and
stopped under load (SIGTERM): an HTTP 200 for a logging command means it is stored, once; a command
that got an error or no answer is retried with the same trigger id and then stored exactly once."""

from __future__ import annotations

import random
import signal
import threading
import time
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db import Database
from bot.views.modals import log_modal
from tests.reliability.support import (
    LOGGED,
    NOT_STORED,
    Answer,
    ServeProcess,
    account_by_name,
    integrity_problems,
    ladder_problems,
    log_modal_values,
    modal_verdict,
    reply_text,
    report,
    request_keys,
    send,
    stored_for,
    submit,
    verdict,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import SlackDriver

TEAM = "T0TEAM1"
ACCOUNTS = ["Alpha Trading", "Bravo Foods", "Charlie Steel"]
SEED = 20261129
# The log modal as `/meeting` with no text opens it; submitted with today's date in the team's zone.
MODAL_DAY = Clock().today(ZoneInfo("Asia/Tokyo"))
MODAL = log_modal("meeting", locale="en", today=MODAL_DAY, channel_id="C0SALES")


@dataclass
class Tried:
    """One command and every answer it got, in order, until one said it was stored."""

    trigger_id: str  # the command's trigger id, or the modal's view id
    command: str  # a slash command, or "modal" for a log modal's submission
    text: str
    answers: list[tuple[str, Answer, str]] = field(default_factory=list)  # (verdict, answer, what it said)

    @property
    def acknowledged(self) -> bool:
        return any(v in ("stored", "acked") for v, _a, _s in self.answers)

    def errored_then_found_stored(self) -> bool:
        """An error answer, then a retry told "already logged" with no answer in between that may have
        stored it (a 200, or no answer at all): the error-answered request was stored after all."""
        for index, (v, _answer, _said) in enumerate(self.answers):
            if v != "error":
                continue
            later = self.answers[index + 1 :]
            for later_verdict, _a, later_said in later:
                if later_verdict == "none":
                    break
                if later_verdict in ("stored", "acked"):
                    if "Already logged" in later_said:
                        return True
                    break
        return False


def _create_accounts(driver: SlackDriver, slack: FakeSlack) -> None:
    for name in ACCOUNTS:
        answer = send(driver, "/meeting", f"{name} call -- first", f"create.{name.replace(' ', '')}")
        assert verdict(answer, slack, wait=3) == "stored", answer


def _client(
    driver: SlackDriver,
    slack: FakeSlack,
    commands: list[Tried],
    enough: threading.Event,
    stop_at: float,
    retry: bool = True,
) -> None:
    """Sends its commands one after the other until `enough` is set (or its list ends); with `retry`,
    a command without a "stored" answer is sent again with the same trigger id until it gets one."""
    for tried in commands:
        if enough.is_set():
            return
        while time.monotonic() < stop_at:
            if tried.command == "modal":
                account, note = tried.text.split(" -- ")
                values = log_modal_values(f"new:{account}", "visit", MODAL_DAY, note)
                answer = submit(driver, MODAL, values, tried.trigger_id)
                said, outcome = answer.body, modal_verdict(answer)
            else:
                answer = send(driver, tried.command, tried.text, tried.trigger_id)
                said, outcome = reply_text(answer, slack, wait=0), verdict(answer, slack)
            tried.answers.append((outcome, answer, said))
            if outcome in ("stored", "acked") or not retry:
                break
            time.sleep(0.05)  # the server is down or restarting: retry, as a user would
        if not retry and tried.answers[-1][0] == "none":
            return  # the server is gone


def _plan(client: int, count: int, modals: bool = False) -> list[Tried]:
    """Commands (a win every fourth), or with `modals` log modal submissions (view ids as keys)."""
    plan = []
    for index in range(count):
        name = ACCOUNTS[(client + index) % len(ACCOUNTS)]
        if modals:
            view_id = f"VKILL{client}X{index}"
            plan.append(Tried(view_id, "modal", f"{name} -- {view_id}"))
            continue
        command, word = ("/deal", "won") if index % 4 == 3 else ("/meeting", "visit")
        trigger = f"kill.{client}.{index}"
        plan.append(Tried(trigger, command, f"{name} {word} -- {trigger}"))
    return plan


def _check_all_stored_once(db: Database, tried: list[Tried]) -> None:
    keys = request_keys(db, TEAM)
    never_answered = [t.trigger_id for t in tried if not t.acknowledged]
    assert never_answered == [], "commands never acknowledged even after retries"
    lost_or_doubled = {t.trigger_id: stored_for(keys, t.trigger_id) for t in tried}
    assert {k: n for k, n in lost_or_doubled.items() if n != 1} == {}
    assert [t.trigger_id for t in tried if t.errored_then_found_stored()] == []
    for name in ACCOUNTS:
        assert ladder_problems(db, TEAM, account_by_name(db, TEAM, name).id) == [], name
    assert integrity_problems(db, TEAM) == []


def test_sigkill_under_load_loses_no_acknowledged_command(
    server: ServeProcess, slack: FakeSlack, db: Database
) -> None:
    rng = random.Random(SEED)
    driver = server.driver(slack)
    _create_accounts(driver, slack)

    clients, per_client = 6, 300
    plans = [_plan(client, per_client) for client in range(clients)] + [
        _plan(clients, per_client, modals=True)
    ]
    enough = threading.Event()
    stop_at = time.monotonic() + 45
    threads = [
        threading.Thread(target=_client, args=(driver, slack, plan, enough, stop_at), daemon=True)
        for plan in plans
    ]
    for thread in threads:
        thread.start()
    for _round in range(3):
        time.sleep(rng.uniform(0.2, 1.0))
        server.signal(signal.SIGKILL)
        assert server.wait(timeout=5) is not None
        time.sleep(rng.uniform(0.0, 0.3))
        server.start()
    time.sleep(0.5)
    enough.set()  # no new commands; the ones under way are retried until stored
    for thread in threads:
        thread.join(timeout=max(0.1, stop_at - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "clients did not finish in time"
    assert all(plan[-1].answers == [] for plan in plans), "a client ran out of commands before the end"

    tried = [t for plan in plans for t in plan if t.answers]
    answers = [a for t in tried for _v, a, _s in t.answers]
    assert [a for a in answers if a.status is not None and a.status >= 500] == []
    assert [(a.trigger_id, said[:200]) for t in tried for v, a, said in t.answers if v == "other"] == []
    # Give a restarted server that stores from a durable queue a moment to catch up.
    time.sleep(0.5)
    _check_all_stored_once(db, tried)
    # The load really crossed the kills: some commands had to be retried.
    retried = sum(1 for t in tried if len(t.answers) > 1)
    assert retried >= 1
    assert sum(1 for t in tried if t.command == "modal") >= 3  # modal submissions were in the load
    acknowledged = sum(1 for t in tried for v, _a, _s in t.answers if v in ("stored", "acked"))
    report(
        f"SIGKILL x3 under load: {len(tried)} commands and modal submissions, {len(answers)} requests,"
        f" {acknowledged} answered 200, {retried} retried after no answer or an error; lost 0, doubled 0"
    )


def test_sigterm_under_load_finishes_in_flight_work_and_refuses_new(
    server: ServeProcess, slack: FakeSlack, db: Database
) -> None:
    driver = server.driver(slack)
    _create_accounts(driver, slack)

    clients, per_client = 6, 300
    plans = [_plan(client, per_client) for client in range(clients)]
    enough = threading.Event()
    stop_at = time.monotonic() + 20
    threads = [
        threading.Thread(target=_client, args=(driver, slack, plan, enough, stop_at, False), daemon=True)
        for plan in plans
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.8)
    signalled = time.monotonic()
    server.signal(signal.SIGTERM)
    time.sleep(0.5)
    # Once the server had time to stop listening, a new request is refused, not served or half-done.
    probe = send(driver, "/meeting", "Alpha Trading visit -- after SIGTERM", "probe.after.sigterm")
    code = server.wait(timeout=12)
    took = time.monotonic() - signalled
    for thread in threads:
        thread.join(timeout=max(0.1, stop_at - time.monotonic()))

    assert code == 0, server.log()
    assert took <= 10.5
    tried = [t for plan in plans for t in plan if t.answers]
    answered = [(t, v, a, said) for t in tried for v, a, said in t.answers]
    assert len(answered) > clients  # there was load when the signal came
    # Nothing half-done: every answer is a stored command or no connection at all.
    assert [
        (v, a.status, said[:120]) for _t, v, a, said in answered if v not in ("stored", "acked", "none")
    ] == []
    assert (probe.status, probe.problem.split(":")[0]) == (None, "URLError"), probe
    assert "refused" in probe.problem.lower(), probe
    keys = request_keys(db, TEAM)
    assert stored_for(keys, probe.trigger_id) == 0
    acknowledged = [t.trigger_id for t, v, _a, _s in answered if v in ("stored", "acked")]
    assert {t: stored_for(keys, t) for t in acknowledged if stored_for(keys, t) != 1} == {}
    assert all(LOGGED.search(said) for _t, v, _a, said in answered if v == "stored")
    assert not any(NOT_STORED.search(said) for _t, v, _a, said in answered if v == "stored")
    for name in ACCOUNTS:
        assert ladder_problems(db, TEAM, account_by_name(db, TEAM, name).id) == [], name
    assert integrity_problems(db, TEAM) == []
    cut = sum(1 for _t, v, _a, _s in answered if v == "none")
    report(
        f"SIGTERM under load: exit {code} after {took:.1f} s; {len(acknowledged)} answered 200 and stored,"
        f" {cut} refused or cut; the probe 0.5 s after the signal: {probe.problem}"
    )
