"""Several replicas (issue 15): two `pyramid-bot serve` processes and two `pyramid-bot scheduler`
processes on one database send each rep one morning digest, not one per process. On PostgreSQL one
process holds the scheduler's advisory lock and runs the schedules; on SQLite every one of them runs
them, and the delivery ledger alone keeps each digest to one post."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.db import Database
from tests.reliability.support import ServeProcess
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, USER
from tests.support.slack_driver import kind_of, text_of


def digests_to(slack: FakeSlack, user: str) -> int:
    return sum(
        1
        for call in slack.calls_to("chat.postMessage")
        if call.body.get("channel") in (user, "D" + user) and kind_of(call.body) == "digest"
    )


def test_two_serve_and_two_scheduler_processes_send_one_digest_per_rep(
    serve_process: Callable[..., ServeProcess],
    serve_env: Callable[[str], dict[str, str]],
    database_url: str,
    slack: FakeSlack,
    db: Database,
) -> None:
    # Whatever day and hour CI runs on: every day is a working day and the digest is due from 00:00.
    env = {
        **serve_env(database_url),
        "PYRAMID_WORKING_DAYS": "mon,tue,wed,thu,fri,sat,sun",
        "PYRAMID_HOLIDAY_COUNTRY": "",
        "PYRAMID_DIGEST_TIME": "00:00",
    }
    first = serve_process(env, "serve-a")  # runs no schedules (PYRAMID_RUN_SCHEDULER=false)
    first.start()
    driver = first.driver(slack)
    for user, account in ((USER, "Acme"), (OTHER_USER, "Globex")):
        assert account in text_of(driver.run("/meeting", f"{account} visit", user=user))
        assert account in text_of(driver.run("/followup", f"{account} today -- call back", user=user))
    assert digests_to(slack, USER) == digests_to(slack, OTHER_USER) == 0

    # The rest start together, each ticking at once: a serve that runs the schedules, two schedulers.
    others = [
        serve_process({**env, "PYRAMID_RUN_SCHEDULER": "true"}, "serve-b"),
        serve_process(env, "scheduler-1", command="scheduler"),
        serve_process(env, "scheduler-2", command="scheduler"),
    ]
    with ThreadPoolExecutor(len(others)) as pool:
        list(pool.map(lambda process: process.start(), others))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (digests_to(slack, USER) and digests_to(slack, OTHER_USER)):
        time.sleep(0.1)
    time.sleep(3)  # every process has ticked by now: a second copy would have come
    assert (digests_to(slack, USER), digests_to(slack, OTHER_USER)) == (1, 1), [
        process.log(800) for process in others
    ]
