"""Pyramid at the scale of a large team: does `/pyramid` answer within Slack's 3 seconds, and what do the
other heavy paths cost?

Run (from the repository root, in the project's virtual environment):

    python bench/pyramid_bench.py [--accounts N] [--database-url URL]

Options: --accounts N (default 100000), --reps R (account owners, default 20), --repeat K (timed runs
of each operation, default 20), --database-url URL (default: a fresh SQLite file in a temporary
directory). A `postgresql://` URL names a database whose `public` schema is DROPPED and recreated: use
a throwaway database only, such as the one behind PYRAMID_TEST_DATABASE_URL.

It seeds one team (T0BENCH) with bulk inserts: accounts on a pyramid-shaped ladder (60 % stage 1,
25 % stage 2, 12 % stage 3, 3 % stage 4), the activities that put them there (about 3 per account),
one step change per climb, some follow-ups and recoveries, and 365 days of pyramid snapshots. Then it
measures, each over K runs after one warm-up:

* the slash commands end to end, exactly as Slack sends them: signed HTTP requests to the real app
  behind waitress, with the Web API and the response URLs served by `tests.support.fake_slack.FakeSlack`;
  "ack" is the HTTP answer Slack waits 3 s for, "reply" the moment the answer reaches the response URL;
* the services behind `/pyramid`, the JSON export, a rep's digest and the daily snapshot job.

It prints the figures as a table and a verdict line, and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # tests/support from this checkout; bot/ from PYTHONPATH when it names another one (see load.py).
    sys.path.insert(len(sys.path) if os.environ.get("PYTHONPATH") else 0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import Engine, delete, func, insert, select, text  # noqa: E402

import bot  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.domain.activities import ActivityKind  # noqa: E402
from bot.domain.analytics import AccountLife, replay  # noqa: E402
from bot.domain.names import name_key  # noqa: E402
from bot.domain.stages import Evidence, Stage, Step, step_for  # noqa: E402
from bot.jobs.snapshots import take_snapshots  # noqa: E402
from bot.models import Account, Activity, Followup, PyramidSnapshot, Recovery, StepChange  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.server import EVENTS_PATH  # noqa: E402
from bot.services.analytics import analytics_for  # noqa: E402
from bot.services.digests import digest_for  # noqa: E402
from bot.services.exports import export_rows  # noqa: E402
from bot.services.pyramids import distribution_for  # noqa: E402
from tests.support.database import database_version, migrated  # noqa: E402
from tests.support.fake_slack import Call, FakeSlack  # noqa: E402
from tests.support.server import serving  # noqa: E402
from tests.support.slack_driver import command_fields  # noqa: E402

TEAM = "T0BENCH"
SECRET = "bench-signing-secret"
# Sunday 22 November 2026, 10:00 in Tokyo: "today" for every figure.
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
ZONE = "Asia/Tokyo"
TODAY = date(2026, 11, 22)
SLACK_LIMIT_MS = 3000.0
BATCH = 5000
SNAPSHOT_DAYS = 365

# The pyramid's shape: stage shares, and each stage's steps with their shares within the stage.
STAGE_SHARES = {Stage.ACQUAINTANCE: 0.60, Stage.PROSPECT: 0.25, Stage.CUSTOMER: 0.12, Stage.REPEATER: 0.03}
STEP_SHARES = {
    Stage.ACQUAINTANCE: {Step.NAME_ONLY: 0.45, Step.REMOTE: 0.30, Step.MET: 0.25},
    Stage.PROSPECT: {Step.MET_TWICE: 0.45, Step.DINED: 0.30, Step.PROPOSED: 0.25},
    Stage.CUSTOMER: {Step.WON: 0.75, Step.REPEAT: 0.25},
    Stage.REPEATER: {Step.REPEATER: 1.0},
}
K = ActivityKind
# The fewest activities (in order) that put an account on each step.
CLIMB_PATH = {
    Step.NAME_ONLY: [],
    Step.REMOTE: [K.CALL],
    Step.MET: [K.VISIT],
    Step.MET_TWICE: [K.VISIT, K.VISIT],
    Step.DINED: [K.VISIT, K.MEAL],
    Step.PROPOSED: [K.VISIT, K.MEAL, K.PROPOSED],
    Step.WON: [K.VISIT, K.MEAL, K.PROPOSED, K.WON],
    Step.REPEAT: [K.VISIT, K.MEAL, K.PROPOSED, K.WON, K.WON],
    Step.REPEATER: [K.VISIT, K.MEAL, K.PROPOSED, K.WON, K.WON, K.WON],
}
# Brands are two to four kana-like syllables ("Kanemori"); together with an industry they make the name.
SYLLABLES = [c + v for c in ("", "k", "s", "t", "n", "h", "m", "y", "r", "w") for v in "aiueo"]
INDUSTRIES = (
    "Logistics",
    "Trading",
    "Foods",
    "Steel",
    "Chemicals",
    "Electric",
    "Systems",
    "Software",
    "Pharma",
    "Textiles",
    "Motors",
    "Builders",
    "Printing",
    "Shipping",
    "Energy",
    "Medical",
    "Robotics",
    "Holdings",
    "Networks",
    "Consulting",
)
LEGAL_FORMS = ("", "", "Inc.", "Co., Ltd.", "株式会社", "Corp.", "K.K.")
SEGMENTS = (None, "Manufacturing", "Retail", "Public sector", "SMB", "Enterprise", "Healthcare")


# ----------------------------------------------------------------------------------------------- seeding


@dataclass
class Seed:
    """Rows to insert, table by table, and the accounts' histories for the snapshot replay."""

    owners: list[str]
    accounts: list[dict[str, Any]] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    step_changes: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    recoveries: list[dict[str, Any]] = field(default_factory=list)
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    lives: list[AccountLife] = field(default_factory=list)


def company_names(count: int, rng: random.Random) -> list[str]:
    """`count` company names with distinct name keys: "Kanemori Logistics Co., Ltd." and the like."""
    names: list[str] = []
    keys: set[str] = set()
    while len(names) < count:
        brand = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3, 3, 4)))).capitalize()
        form = rng.choice(LEGAL_FORMS)
        industry = rng.choice(INDUSTRIES)
        name = f"{form}{brand} {industry}" if form == "株式会社" else f"{brand} {industry} {form}".strip()
        key = name_key(name)
        if key not in keys:
            keys.add(key)
            names.append(name)
    return names


def pick_step(rng: random.Random) -> Step:
    stage = rng.choices(list(STAGE_SHARES), weights=list(STAGE_SHARES.values()))[0]
    steps = STEP_SHARES[stage]
    return rng.choices(list(steps), weights=list(steps.values()))[0]


def activity_kinds(step: Step, rng: random.Random) -> list[ActivityKind]:
    """The climb path with extra touches mixed in (about 3 activities per account on average). Extras
    never lift the account past `step`: before 2.1 only calls and e-mails, then visits and lost deals too."""
    path = list(CLIMB_PATH[step])
    if step is Step.NAME_ONLY:
        return path
    extra_kinds = [K.CALL, K.EMAIL] if step < Step.MET_TWICE else [K.CALL, K.EMAIL, K.VISIT, K.LOST]
    for _ in range(rng.randint(0, 4)):
        kind = rng.choice(extra_kinds)
        # A lost deal comes after the proposal; a lone one at the start would read oddly.
        low = path.index(K.PROPOSED) + 1 if kind is K.LOST and K.PROPOSED in path else 0
        path.insert(rng.randint(low, len(path)), kind)
    return path


def at(day: date, rng: random.Random) -> datetime:
    """A moment on `day` (UTC), never after NOW."""
    moment = datetime.combine(day, clock_time(rng.randrange(24), rng.randrange(60)), tzinfo=UTC)
    return min(moment, NOW)


def seed_account(seed: Seed, account_id: int, name: str, owner: str, rng: random.Random) -> None:
    """One account, its activities and step changes, consistent with the bot's own ladder."""
    step = pick_step(rng)
    created_on = TODAY - timedelta(days=rng.randrange(3 * 365))
    kinds = activity_kinds(step, rng)
    last_touch = None
    evidence, current = Evidence(), Step.NAME_ONLY
    changes: list[tuple[date, Step]] = []
    lost = 0
    if kinds:
        last_touch = TODAY - timedelta(days=rng.randrange(min(730, (TODAY - created_on).days + 1)))
        span = (last_touch - created_on).days
        days = sorted(created_on + timedelta(days=rng.randint(0, span)) for _ in kinds[:-1]) + [last_touch]
        moment = datetime.combine(created_on, clock_time(0), tzinfo=UTC)
        for kind, day in zip(kinds, days, strict=True):
            moment = max(moment, at(day, rng))  # logged in order, so step changes sort as they happened
            activity = activity_row(len(seed.activities) + 1, account_id, owner, kind, moment, rng)
            seed.activities.append(activity)
            evidence, lost = evidence.plus(kind), lost + int(kind is K.LOST)
            reached = max(current, step_for(evidence))
            if reached != current:
                change_id = len(seed.step_changes) + 1
                seed.step_changes.append(step_change_row(change_id, activity, current, reached))
                changes.append((day, reached))
                current = reached
    assert current is step, (current, step)
    created_at = at(created_on, rng)
    seed.accounts.append(
        {
            "id": account_id,
            "team_id": TEAM,
            "name": name,
            "name_key": name_key(name),
            "owner_id": owner,
            "step": step.value,
            "segment": rng.choice(SEGMENTS),
            "remote_touches": evidence.remote_touches,
            "in_person_meetings": evidence.in_person_meetings,
            "meals": evidence.meals,
            "proposals": evidence.proposals,
            "deals_won": evidence.deals_won,
            "deals_lost": lost,
            "last_touch_on": last_touch,
            "created_on": created_on,
            "created_at": created_at,
            "updated_at": at(last_touch, rng) if last_touch else created_at,
        }
    )
    seed.lives.append(AccountLife(account_id, owner, created_on, tuple(changes)))


def activity_row(
    activity_id: int, account_id: int, owner: str, kind: ActivityKind, moment: datetime, rng: random.Random
) -> dict[str, Any]:
    deal = kind in (K.PROPOSED, K.WON, K.LOST)
    day = moment.date()
    return {
        "id": activity_id,
        "team_id": TEAM,
        "account_id": account_id,
        "user_id": owner,
        "kind": kind.value,
        "occurred_on": day,
        "amount": rng.randrange(100, 5000) * 1000 if deal else None,
        "note": rng.choice((None, None, "met the IT manager", "asked for a quote", "follow up in spring")),
        "revisit_on": day + timedelta(days=180) if kind is K.LOST else None,
        "request_key": f"command:seed.{activity_id}",
        "created_at": moment,
    }


def step_change_row(change_id: int, activity: dict[str, Any], before: Step, after: Step) -> dict[str, Any]:
    """The climb caused by `activity`, recorded as the bot records it: same moment, same user."""
    return {
        "id": change_id,
        "team_id": TEAM,
        "account_id": activity["account_id"],
        "from_step": before.value,
        "to_step": after.value,
        "changed_at": activity["created_at"],
        "changed_on": activity["occurred_on"],
        "activity_id": activity["id"],
        "user_id": activity["user_id"],
        "reason": "activity",
    }


def seed_extras(seed: Seed, rng: random.Random) -> None:
    """Open follow-ups (2 % of accounts) and recoveries (0.3 %), so that digests have work to show."""
    for account in rng.sample(seed.accounts, len(seed.accounts) // 50):
        seed.followups.append(
            {
                "team_id": TEAM,
                "account_id": account["id"],
                "user_id": account["owner_id"],
                "created_by": account["owner_id"],
                "due_on": TODAY + timedelta(days=rng.randint(-14, 30)),
                "note": "check in",
                "source": rng.choice(("manual", "after_sale", "revisit")),
                "status": "open",
                "request_key": f"seed.followup.{account['id']}",
                "created_at": NOW - timedelta(days=rng.randint(1, 60)),
            }
        )
    for account in rng.sample(seed.accounts, max(1, len(seed.accounts) * 3 // 1000)):
        opened = NOW - timedelta(days=rng.randint(0, 20))
        seed.recoveries.append(
            {
                "team_id": TEAM,
                "account_id": account["id"],
                "owner_id": account["owner_id"],
                "opened_by": account["owner_id"],
                "what": "late delivery",
                "status": rng.choice(("open", "responded")),
                "steps_done": rng.randint(0, 7),
                "opened_at": opened,
                "opened_on": opened.date(),
                "request_key": f"seed.recovery.{account['id']}",
            }
        )


def seed_snapshots(seed: Seed) -> None:
    """The last 365 days, replayed from the accounts' histories as the bot's own backfill would."""
    first_day = TODAY - timedelta(days=SNAPSHOT_DAYS)
    owners = ["", *seed.owners]
    for day, counts in replay(seed.lives, first_day, TODAY - timedelta(days=1)).items():
        for owner in owners:
            for stage in Stage:
                seed.snapshots.append(
                    {
                        "team_id": TEAM,
                        "owner_id": owner,
                        "day": day,
                        "stage": stage.value,
                        "count": counts.get((owner, stage), 0),
                    }
                )


def build_seed(accounts: int, reps: int) -> Seed:
    rng = random.Random(20261122)
    seed = Seed(owners=[f"U0BENCH{index:02d}" for index in range(reps)])
    for index, name in enumerate(company_names(accounts, rng)):
        seed_account(seed, index + 1, name, seed.owners[index % reps], rng)
    seed_extras(seed, rng)
    seed_snapshots(seed)
    return seed


@dataclass(frozen=True)
class Team:
    """What the measurements need to know of the seeded team. The rows themselves are dropped before
    timing: a million dicts kept alive would slow every garbage collection of the process measured."""

    owners: list[str]
    logged_to: str  # an account of owners[0] at step 2.3: `/meeting` logs visits to it
    typo: str  # a new name one letter away from it: `/meeting` asks "did you mean…?"


def summarize(seed: Seed) -> Team:
    me = seed.owners[0]
    logged_to = next(a["name"] for a in seed.accounts if a["owner_id"] == me and a["step"] == "proposed")
    return Team(seed.owners, logged_to, typo_of(logged_to, {a["name_key"] for a in seed.accounts}))


def insert_rows(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start : start + BATCH])


def load(engine: Engine, seed: Seed) -> None:
    for table, rows in (
        (Account, seed.accounts),
        (Activity, seed.activities),
        (StepChange, seed.step_changes),
        (Followup, seed.followups),
        (Recovery, seed.recoveries),
        (PyramidSnapshot, seed.snapshots),
    ):
        insert_rows(engine, table, rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            # Explicit ids leave the sequences behind: move them on, or the bot's own inserts would clash.
            for name in ("accounts", "activities", "step_changes"):
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))"))
        # What autovacuum would do within a minute of such a load; the planner needs the statistics.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


# ----------------------------------------------------------------------------------------------- database


def prepare_database(url: str | None, workdir: Path) -> str:
    """A migrated, empty database: a new SQLite file, or a PostgreSQL database whose schema is reset."""
    try:
        return migrated(url, workdir / "pyramid-bench.db", announce=True)
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


def table_sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            model.__tablename__: connection.scalar(select(func.count()).select_from(model)) or 0
            for model in (Account, Activity, StepChange, Followup, Recovery, PyramidSnapshot)
        }


# ----------------------------------------------------------------------------------------------- timing


@dataclass
class Result:
    operation: str
    samples_ms: list[float]
    note: str = ""

    def percentile(self, share: float) -> float:
        """Nearest rank: p95 of 20 runs is the 19th fastest."""
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def measure(name: str, work: Callable[[], object], repeat: int, note: str = "") -> Result:
    work()  # warm-up
    return Result(name, [timed(work) for _ in range(repeat)], note)


# ----------------------------------------------------------------------------------------------- Slack


class Arrivals:
    """When each call reached the fake Slack: a listener stamps it as it arrives."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._seen: list[tuple[float, Call]] = []

    def __call__(self, call: Call) -> None:
        with self._cond:
            self._seen.append((time.perf_counter(), call))
            self._cond.notify_all()

    def wait(self, match: Callable[[Call], bool], after: float, timeout: float = 60.0) -> float:
        def found() -> float | None:
            return next((stamp for stamp, call in self._seen if stamp >= after and match(call)), None)

        with self._cond:
            if not self._cond.wait_for(lambda: found() is not None, timeout=timeout):
                raise RuntimeError("the bot did not answer in time")
            stamp = found()
            assert stamp is not None
            return stamp


@dataclass
class Exchange:
    ack_ms: float
    reply_ms: float
    reply: dict[str, Any]
    home_ms: float | None = None


class SlackClient:
    """Plays Slack: signed slash commands to the app; answers read back from the fake."""

    def __init__(self, app_url: str, fake: FakeSlack) -> None:
        self.url = app_url + EVENTS_PATH
        self.fake = fake
        self.arrivals = Arrivals()
        fake.add_listener(self.arrivals)

    def command(self, command: str, text_: str, user: str, *, wait_home: bool = False) -> Exchange:
        key = uuid.uuid4().hex[:12]
        trigger = f"trig.{uuid.uuid4().hex}"
        fields = command_fields(
            command, text_, user, TEAM, self.fake.response_url(key), trigger, domain="bench"
        )
        body = urlencode(fields)
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": str(signature),
        }
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response.read()
            if response.status != 200:
                raise RuntimeError(f"{command} {text_!r}: HTTP {response.status}")
        acked = time.perf_counter()
        in_ack = json.loads(answer) if answer.strip().startswith(b"{") else None
        if isinstance(in_ack, dict) and (in_ack.get("text") or in_ack.get("blocks")):
            # Logging commands answer in the ack's body (stored before the ack): the reply is the ack.
            replied, reply = acked, in_ack
        else:
            replied = self.arrivals.wait(
                lambda call: call.method == "response_url" and call.key == key, start
            )
            reply = next(call.body for call in self.fake.calls_to("response_url") if call.key == key)
        home = None
        if wait_home and not asked(reply):
            # A logged touch refreshes the App Home after the reply; wait, so that it does not overlap the
            # next run. ("Did you mean…?" logs nothing and refreshes nothing.)
            home = self.arrivals.wait(
                lambda call: call.method == "views.publish" and call.body.get("user_id") == user, start
            )
        return Exchange(
            ack_ms=(acked - start) * 1000,
            reply_ms=(replied - start) * 1000,
            reply=reply,
            home_ms=None if home is None else (home - start) * 1000,
        )


@contextmanager
def running_app(settings: Settings, db: Database, clock: FixedClock, fake: FakeSlack) -> Iterator[str]:
    """The real app behind waitress on a free loopback port, stopped cleanly afterwards."""
    with serving(settings, db, fake.base_url, clock=clock, token="xoxb-bench") as url:
        yield url


def measure_command(
    slack: SlackClient,
    label: str,
    command: str,
    text_for: Callable[[int], str],
    user: str,
    repeat: int,
    *,
    wait_home: bool = False,
    logged_note: str = "",
) -> list[Result]:
    """Ack and full reply of one command; the warm-up's reply tells which path it took."""
    first = slack.command(command, text_for(-1), user, wait_home=wait_home)
    runs = [slack.command(command, text_for(index), user, wait_home=wait_home) for index in range(repeat)]
    note = "asked 'did you mean…?'" if asked(first.reply) else logged_note
    results = [
        Result(f"{label}  ack", [run.ack_ms for run in runs]),
        Result(f"{label}  reply", [run.reply_ms for run in runs], note),
    ]
    if wait_home:
        results.append(Result(f"{label}  App Home refreshed", [run.home_ms or 0.0 for run in runs]))
    return results


def slack_settings(url: str, fake: FakeSlack) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr("xoxb-bench"),
        slack_signing_secret=SecretStr(SECRET),
        slack_api_url=fake.base_url,
        database_url=url,
        pyramid_team_channel="C0TEAM",
        pyramid_locale="en",
        pyramid_timezone=ZONE,
        pyramid_run_scheduler=False,
    )


def asked(reply: dict[str, Any]) -> bool:
    """Whether the reply is the "did you mean…?" question rather than a logged touch."""
    return "near_match" in json.dumps(reply)


def unlike_any(run: int) -> str:
    """A company name close to no other, the seeded ones nor those of the other runs."""
    rng = random.Random(run)
    return "".join(rng.choice("bcdfgjklpqvxz") for _ in range(12)).capitalize() + " Newco"


def always(words: str) -> Callable[[int], str]:
    return lambda _run: words


def typo_of(name: str, taken: set[str]) -> str:
    """The name with one letter of its brand changed, such that no account has it yet."""
    for index in range(1, len(name)):
        for letter in "xzqv":
            candidate = name[:index] + letter + name[index + 1 :]
            if name[index].isalpha() and name_key(candidate) not in taken:
                return candidate
    raise RuntimeError(f"no typo of {name!r} is free")


def bench_slack(url: str, db: Database, team: Team, repeat: int) -> list[Result]:
    me, other = team.owners[0], team.owners[1]
    with FakeSlack(team_id=TEAM) as fake:
        for owner in team.owners:
            fake.add_user(owner, name=owner.lower(), tz=ZONE, locale="en-US")
        clock = FixedClock(NOW)
        with running_app(slack_settings(url, fake), db, clock, fake) as app_url:
            slack = SlackClient(app_url, fake)
            results = []
            for label, words in (
                ("/pyramid", ""),
                ("/pyramid detail", "detail"),
                ("/pyramid me", "me"),
                ("/pyramid @user", f"<@{other}|{other.lower()}>"),
            ):
                results += measure_command(slack, label, "/pyramid", always(words), me, repeat)
            results += measure_command(
                slack,
                "/meeting existing account",
                "/meeting",
                lambda _run: f'"{team.logged_to}" visit -- benchmark',
                me,
                repeat,
                wait_home=True,
            )
            results += measure_command(
                slack, "/meeting NEW name, a typo", "/meeting", lambda _run: f'"{team.typo}" call', me, repeat
            )
            results += measure_command(
                slack,
                "/meeting NEW name, unlike any",
                "/meeting",
                lambda run: f'"{unlike_any(run)}" call',
                me,
                repeat,
                wait_home=True,
                logged_note="logged; a new account created",
            )
    return results


# ----------------------------------------------------------------------------------------------- services


def bench_services(db: Database, team: Team, repeat: int) -> list[Result]:
    me = team.owners[0]
    results = []
    for scope, owner in (("team", None), ("one rep", me)):
        dist_ms: list[float] = []
        analytics_ms: list[float] = []
        for run in range(repeat + 1):
            with db.transaction() as session:
                start = time.perf_counter()
                dist = distribution_for(session, TEAM, owner, today=TODAY)
                middle = time.perf_counter()
                analytics_for(session, TEAM, owner, dist, TODAY)
                end = time.perf_counter()
            if run:  # run 0 is the warm-up
                dist_ms.append((middle - start) * 1000)
                analytics_ms.append((end - middle) * 1000)
        results.append(Result(f"distribution_for ({scope})", dist_ms))
        results.append(Result(f"analytics_for ({scope})", analytics_ms))
    return results


def export_json(db: Database) -> int:
    """What `pyramid-bot export --format json` does, written to /dev/null; returns the rows."""
    count = 0
    with db.transaction() as session, open(os.devnull, "w", encoding="utf-8") as out:
        out.write("[")
        for row in export_rows(session, [TEAM], today=TODAY):
            out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
    return count


def bench_jobs(url: str, db: Database, team: Team, repeat: int) -> list[Result]:
    me = team.owners[0]
    rows = export_json(db)
    export = measure("export --format json (team)", lambda: export_json(db), repeat)
    export.note = f"{rows:,} rows, {rows / (export.median / 1000):,.0f} rows/s"

    def digest() -> None:
        with db.transaction() as session:
            digest_for(session, TEAM, me, TODAY)

    per_rep = rows // len(team.owners)
    results = [export, measure(f"digest_for (one rep, {per_rep:,} accounts)", digest, repeat)]
    results += bench_snapshots(url, db, repeat)
    return results


def bench_snapshots(url: str, db: Database, repeat: int) -> list[Result]:
    """The daily job on a day without a snapshot. Its first run also backfills the days before the first
    seeded snapshot (a one-time cost), so it is shown on its own; later runs write today's rows only."""
    settings = Settings(_env_file=None, database_url=url, pyramid_timezone=ZONE)  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, db=db, clock=FixedClock(NOW))

    def forget_today() -> None:
        with db.transaction() as session:
            session.execute(delete(PyramidSnapshot).where(PyramidSnapshot.day == TODAY))

    written: list[int] = []
    first = timed(lambda: written.append(take_snapshots(runtime, NOW)))
    samples = []
    for _ in range(repeat):
        forget_today()
        samples.append(timed(lambda: take_snapshots(runtime, NOW)))
    return [
        Result("take_snapshots, first run (backfill)", [first], f"{written[0]:,} rows written"),
        Result("take_snapshots (daily)", samples),
    ]


# ----------------------------------------------------------------------------------------------- report


def code_revision() -> str:
    """The commit of the `bot` package measured, and whether bot/ differs from it (read-only git calls)."""
    root = Path(bot.__file__).resolve().parent.parent

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    try:
        commit, changed = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "--", "bot")
    except (OSError, subprocess.CalledProcessError):
        return f"{root} (not a git checkout)"
    return f"{commit} (bot/ has uncommitted changes)" if changed else commit


def print_machine(engine: Engine) -> None:
    print(f"machine:   {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}")
    print(f"database:  {engine.dialect.name}, {database_version(engine)}")
    print(f"code:      {code_revision()}")


def print_sizes(engine: Engine, owners: int) -> None:
    sizes = table_sizes(engine)
    print(
        f"sizes:     {sizes['accounts']:,} accounts in one team over {owners} owners, "
        f"{sizes['activities']:,} activities, {sizes['step_changes']:,} step changes, "
        f"{sizes['pyramid_snapshots']:,} snapshot rows ({SNAPSHOT_DAYS} days), "
        f"{sizes['followups']:,} follow-ups, {sizes['recoveries']:,} recoveries"
    )
    print(f"today:     {TODAY} (FixedClock at {NOW.isoformat()})")


def seed_database(engine: Engine, accounts: int, reps: int) -> Team:
    """Generates and loads the team, printing how long each half took."""
    start = time.perf_counter()
    seed = build_seed(accounts, reps)
    generated = time.perf_counter()
    load(engine, seed)
    loaded = time.perf_counter()
    analyze = " + ANALYZE" if engine.dialect.name == "postgresql" else ""
    print(
        f"seeding:   {loaded - start:.1f} s (generating rows {generated - start:.1f} s, "
        f"bulk insert{analyze} {loaded - generated:.1f} s)"
    )
    team = summarize(seed)
    del seed
    gc.collect()
    return team


def print_table(results: list[Result]) -> None:
    width = max(len(result.operation) for result in results)
    print()
    print(f"{'operation':<{width}}  {'n':>3}  {'median ms':>10}  {'p95 ms':>9}  {'max ms':>9}  note")
    print("-" * (width + 50))
    for result in results:
        print(
            f"{result.operation:<{width}}  {len(result.samples_ms):>3}  {result.median:>10.1f}  "
            f"{result.percentile(0.95):>9.1f}  {max(result.samples_ms):>9.1f}  {result.note}"
        )


def verdict(results: list[Result]) -> str:
    worst = max(
        result.percentile(0.95)
        for result in results
        if result.operation.startswith("/pyramid") and result.operation.endswith("reply")
    )
    status = "OK" if worst <= SLACK_LIMIT_MS else "TOO SLOW"
    return f"verdict: /pyramid p95 {worst:.0f} ms (limit {SLACK_LIMIT_MS:.0f} ms): {status}"


# ----------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Pyramid's heavy paths at the scale of a large team.")
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts in the team (default 100000)")
    parser.add_argument("--reps", type=int, default=20, help="account owners (default 20)")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per operation (default 20)")
    parser.add_argument(
        "--database-url",
        help="default: a new SQLite file in a temp dir; a postgresql:// database has its schema RESET",
    )
    args = parser.parse_args(argv)
    if args.accounts < 100 or args.reps < 2 or args.repeat < 1:
        parser.error("need --accounts >= 100, --reps >= 2 and --repeat >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pyramid-bench-") as workdir:
        url = prepare_database(args.database_url, Path(workdir))
        db = Database(url)
        try:
            print_machine(db.engine)
            team = seed_database(db.engine, args.accounts, args.reps)
            print_sizes(db.engine, args.reps)
            results = bench_slack(url, db, team, args.repeat)
            results += bench_services(db, team, args.repeat)
            results += bench_jobs(url, db, team, args.repeat)
        finally:
            db.dispose()
    print_table(results)
    print()
    print(verdict(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
