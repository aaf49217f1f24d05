from __future__ import annotations

import json
from datetime import UTC, date, datetime

from slack_sdk import WebClient

from bot.jobs.digest import send_digests_for
from bot.jobs.scheduler import add_retries
from bot.runtime import Runtime
from tests.e2e.conftest import OTHER_USER, USER


def test_explore(driver, slack, db, clock, settings):
    for cmd, text in [
        ("/meeting", "Acme visit 2026-09-01"),
        ("/deal", "Beta won 2026-07-01"),
        ("/deal", "Gamma proposed 2026-09-15"),
        ("/followup", "Acme 2026-11-24 -- send the brochure"),
        ("/followup", "Acme tomorrow -- call back"),
        ("/meeting", "Delta call 2026-07-01"),
        ("/trouble", "Acme -- wrong invoice"),
        ("/deal", "Theta proposed 2026-11-01"),
    ]:
        r = driver.run(cmd, text)
        print(cmd, text, "=>", r.get("text"))
    driver.run("/deal", "Omega won 2026-07-01", user=OTHER_USER)
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    client = add_retries(WebClient(token="xoxb-test", base_url=slack.base_url))
    runs = send_digests_for(Runtime(settings=settings, db=db, clock=clock), client, day=date(2026, 11, 24))
    print(runs)
    for m in slack.history(USER):
        print(json.dumps(m, indent=1, ensure_ascii=False))
    print(slack.history(OTHER_USER)[0]["text"])
    print([c.method for c in slack.calls])
    assert 0
