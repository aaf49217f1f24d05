"""A sales floor at once: the production server under 16 closed-loop clients, against a bare Bolt floor.

Run from the repository root:

    .venv/bin/python bench/load.py [--quick] [--database sqlite|postgresql://…]

What it does, in one run (see bench/README.md for the figures and how to read them):

1. Seeds one team (T0LOAD: --accounts accounts, default 100,000, over 20 reps) with set-based
   `INSERT … SELECT` statements: accounts on a pyramid-shaped ladder, the activities and step changes
   that put each one on its step, open follow-ups, recoveries and 31 days of pyramid snapshots; then
   today's snapshot through the bot's own service. Two more teams with 2,000 reps each (10,000 and
   100,000 accounts) serve the digest measurements.
2. Starts the real production server, `pyramid-bot serve` (waitress), in a subprocess on a free
   127.0.0.1 port with SLACK_API_URL pointing at `tests.support.fake_slack.FakeSlack` in this process and
   PYRAMID_RUN_SCHEDULER=false; and a bare Bolt app on the same waitress server whose listener only acks
   with a fixed reply (the floor).
3. For each scenario (`/meeting` on existing accounts, `/deal`, `/account`, `/pyramid team`, a button
   press) and the floor, runs --clients closed-loop clients (threads spread over --client-processes
   processes) for --seconds, --repeats times. A client sends the next request when the reply has arrived:
   the ack body when the reply is in it, else the post to the response URL (served by the client process).
4. Measures digests for 200 and 2,000 reps on the 10k- and 100k-account teams: total time and SQL
   statements per rep (a `before_cursor_execute` listener counts them).

`--quick` (a small team, 2 s per scenario, 1 repeat, small digest teams) is the CI smoke check. The
script exits 0 when every scenario completed requests without errors; it asserts no timing.
A `postgresql://` database has its `public` schema DROPPED and recreated: use a throwaway database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing
import os
import platform
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # tests/support from this checkout; bot/ from PYTHONPATH when it names another one (an export of an
    # older commit, to measure it), else from this checkout too.
    sys.path.insert(len(sys.path) if os.environ.get("PYTHONPATH") else 0, str(ROOT))

from slack_sdk.signature import SignatureVerifier  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402

from tests.support.database import database_version  # noqa: E402
from tests.support.server import free_port  # noqa: E402
from tests.support.slack_driver import command_fields  # noqa: E402

SECRET = "load-bench-signing-secret"
LOAD_TEAM = "T0LOAD"
ZONE = "Asia/Tokyo"
LOAD_REPS = 20
SCENARIOS = ("meeting", "deal", "account", "pyramid", "button")
ALPHA = "abcdefghijklmnopqrstuvwxyz"
# Step of an account from (hash % 1000): 60 % stage 1, 25 % stage 2, 12 % stage 3, 3 % stage 4.
STEP_BOUNDS = (
    (270, "name_only"),
    (450, "remote"),
    (600, "met"),
    (712, "met_twice"),
    (787, "dined"),
    (850, "proposed"),
    (940, "won"),
    (970, "repeat"),
    (1000, "repeater"),
)
STAGE_OF = {
    "name_only": 1,
    "remote": 1,
    "met": 1,
    "met_twice": 2,
    "dined": 2,
    "proposed": 2,
    "won": 3,
    "repeat": 3,
    "repeater": 4,
}
# The fewest activities that put an account on each step; each one climbs a step (the bot's ladder).
CLIMB = {
    "name_only": [],
    "remote": ["call"],
    "met": ["visit"],
    "met_twice": ["visit", "visit"],
    "dined": ["visit", "meal"],
    "proposed": ["visit", "meal", "proposed"],
    "won": ["visit", "meal", "proposed", "won"],
    "repeat": ["visit", "meal", "proposed", "won", "won"],
    "repeater": ["visit", "meal", "proposed", "won", "won", "won"],
}
COUNTERS = {  # remote_touches, in_person_meetings, meals, proposals, deals_won
    "name_only": (0, 0, 0, 0, 0),
    "remote": (1, 0, 0, 0, 0),
    "met": (0, 1, 0, 0, 0),
    "met_twice": (0, 2, 0, 0, 0),
    "dined": (0, 1, 1, 0, 0),
    "proposed": (0, 1, 1, 1, 0),
    "won": (0, 1, 1, 1, 1),
    "repeat": (0, 1, 1, 1, 2),
    "repeater": (0, 1, 1, 1, 3),
}


# ------------------------------------------------------------------------------------------- naming


def account_name(index: int) -> str:
    """'Acme Q' and four letters: no digit (a /deal would read it as an amount) and no keyword."""
    letters = "".join(ALPHA[(index // 26**power) % 26] for power in (3, 2, 1, 0))
    return f"Acme Q{letters}"


def owner_id(tag: str, index: int) -> str:
    return f"U{tag}{10000 + index}"


# ------------------------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class SeedTeam:
    team_id: str
    tag: str  # owner ids are U<tag>1xxxx
    accounts: int
    reps: int
    first_id: int  # account ids are first_id + 1 … first_id + accounts

    def owners(self) -> list[str]:
        return [owner_id(self.tag, index) for index in range(self.reps)]

    def account_of(self, rep: int, rng: random.Random) -> tuple[int, str]:
        """A random account of rep number `rep` (account i belongs to rep i % reps)."""
        per_rep = self.accounts // self.reps
        k = rng.randrange(1 if rep == 0 else 0, per_rep)
        index = rep + self.reps * k
        return self.first_id + index, account_name(index)


class Sql:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, dialect: str) -> None:
        self.pg = dialect == "postgresql"

    def day_minus(self, days: str) -> str:
        return (
            f"(CAST(:today AS date) - CAST({days} AS integer))"
            if self.pg
            else f"date(:today, (-({days})) || ' days')"
        )

    def day_plus(self, day: str, days: str) -> str:
        return f"({day} + CAST({days} AS integer))" if self.pg else f"date({day}, ({days}) || ' days')"

    def days_between(self, later: str, earlier: str) -> str:
        return (
            f"({later} - {earlier})"
            if self.pg
            else f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        )

    def moment(self, day: str, seq: str = "0") -> str:
        """A UTC timestamp on `day` (03:00 plus `seq` minutes), as the bot's UtcDateTime stores it."""
        if self.pg:
            return (
                f"(({day} + TIME '03:00' + CAST({seq} AS integer) * INTERVAL '1 minute') AT TIME ZONE 'UTC')"
            )
        return f"strftime('%Y-%m-%d %H:%M:%S.000000', {day}, '+3 hours', '+' || ({seq}) || ' minutes')"


def _numbers(count_param: str) -> str:
    return f"WITH RECURSIVE nums(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM nums WHERE i < :{count_param}) "


def seed_team(engine: Engine, team: SeedTeam, today: date, snapshot_days: int) -> dict[str, int]:
    """Set-based inserts: every table in a handful of `INSERT … SELECT` statements."""
    sql = Sql(engine.dialect.name)
    step_case = (
        "CASE " + " ".join(f"WHEN h % 1000 < {bound} THEN '{step}'" for bound, step in STEP_BOUNDS) + " END"
    )
    counter_cases = [
        "CASE step "
        + " ".join(f"WHEN '{step}' THEN {values[column]}" for step, values in COUNTERS.items())
        + " END"
        for column in range(5)
    ]
    name_sql = "'Acme Q' || " + " || ".join(
        f"substr('{ALPHA}', CAST((i / {26**power}) % 26 AS integer) + 1, 1)" for power in (3, 2, 1, 0)
    )
    age = "((h / 1000) % 1095)"
    quiet = f"((h / 1000000) % (CASE WHEN {age} < 730 THEN {age} + 1 ELSE 730 END))"
    params = {"today": today, "n": team.accounts, "team": team.team_id, "base": team.first_id}
    # (step, seq, kind, from_step, to_step, path length): each activity of the climb path climbs one step.
    path_values = " UNION ALL ".join(
        f"SELECT '{step}' AS step, {seq} AS seq, '{kind}' AS kind, "
        f"'{_reached(path[: seq - 1])}' AS from_step, "
        f"'{_reached(path[:seq])}' AS to_step, {len(path)} AS n"
        for step, path in CLIMB.items()
        for seq, kind in enumerate(path, start=1)
    )
    stage_case = (
        "CASE " + " ".join(f"WHEN step = '{step}' THEN {stage}" for step, stage in STAGE_OF.items()) + " END"
    )
    with engine.begin() as connection:
        connection.execute(
            text(
                _numbers("n") + "INSERT INTO accounts (id, team_id, name, name_key, owner_id, step, segment, "
                "remote_touches, "
                "in_person_meetings, meals, proposals, deals_won, deals_lost, last_touch_on, created_on, "
                "created_at, updated_at) "
                "SELECT CAST(:base AS INTEGER) + i, CAST(:team AS VARCHAR), name, lower(name), "
                f"'U{team.tag}' || (10000 + i % {team.reps}), "
                "step, NULL, "
                f"{', '.join(counter_cases)}, 0, "
                f"CASE WHEN step = 'name_only' THEN NULL ELSE {sql.day_minus(quiet)} END, "
                f"{sql.day_minus(age)}, {sql.moment(sql.day_minus(age))}, {sql.moment(sql.day_minus(age))} "
                f"FROM (SELECT i, h, {name_sql} AS name, {step_case} AS step "
                "FROM (SELECT i, (i * 2654435761) % 4294967296 AS h FROM nums) hashed) seeded"
            ),
            params,
        )
        connection.execute(
            text(
                "INSERT INTO activities (id, team_id, account_id, user_id, kind, occurred_on, amount, note, "
                "revisit_on, request_key, created_at) "
                f"SELECT a.id * 8 + p.seq, a.team_id, a.id, a.owner_id, p.kind, {_activity_day(sql)}, "
                "CASE WHEN p.kind IN ('proposed', 'won') THEN 1000000 ELSE NULL END, NULL, NULL, "
                f"'seed.' || (a.id * 8 + p.seq), {sql.moment(_activity_day(sql), 'p.seq')} "
                f"FROM accounts a JOIN ({path_values}) p ON p.step = a.step WHERE a.team_id = :team"
            ),
            params,
        )
        connection.execute(
            text(
                "INSERT INTO step_changes (id, team_id, account_id, from_step, to_step, changed_at, "
                "changed_on, "
                "activity_id, user_id, reason) "
                "SELECT v.id, v.team_id, v.account_id, p.from_step, p.to_step, v.created_at, v.occurred_on, "
                "v.id, "
                "v.user_id, 'activity' "
                f"FROM activities v JOIN accounts a ON a.id = v.account_id "
                f"JOIN ({path_values}) p ON p.step = a.step AND p.seq = v.id - a.id * 8 "
                "WHERE v.team_id = :team"
            ),
            params,
        )
        connection.execute(
            text(
                "INSERT INTO followups (team_id, account_id, user_id, created_by, due_on, note, source, "
                "status, "
                "request_key, created_at) "
                f"SELECT team_id, id, owner_id, owner_id, {sql.day_plus(':today', '(id * 7) % 45 - 14')}, "
                f"'check in', 'manual', 'open', 'seed.f.' || id, {sql.moment(sql.day_minus('30'))} "
                "FROM accounts WHERE team_id = :team AND id % 50 = 7"
            ),
            params,
        )
        connection.execute(
            text(
                "INSERT INTO recoveries (team_id, account_id, owner_id, opened_by, what, status, steps_done, "
                "opened_at, opened_on, request_key) "
                f"SELECT team_id, id, owner_id, owner_id, 'late delivery', 'open', 0, "
                f"{sql.moment(sql.day_minus('id % 20'))}, {sql.day_minus('id % 20')}, 'seed.r.' || id "
                "FROM accounts WHERE team_id = :team AND id % 333 = 5"
            ),
            params,
        )
        if snapshot_days:
            # The last days' snapshots, approximated from today's steps of the accounts that existed then:
            # today's counts less the accounts created after each day (a few, so this takes no time).
            for owner_column in ("owner_id", "''"):
                connection.execute(
                    text(
                        "WITH RECURSIVE d(k) AS "
                        f"(SELECT 1 UNION ALL SELECT k + 1 FROM d WHERE k < {snapshot_days}), "
                        f"t AS (SELECT {owner_column} AS o, {stage_case} AS s, count(*) AS total "
                        "FROM accounts WHERE team_id = :team GROUP BY 1, 2), "
                        f"r AS (SELECT {owner_column} AS o, {stage_case} AS s, created_on AS c FROM accounts "
                        f"WHERE team_id = :team AND created_on > {sql.day_minus(str(snapshot_days + 1))}), "
                        "late AS (SELECT r.o, r.s, d.k, count(*) AS n FROM r "
                        f"JOIN d ON r.c > {sql.day_minus('d.k')} "
                        "GROUP BY 1, 2, 3) "
                        "INSERT INTO pyramid_snapshots (team_id, owner_id, day, stage, count) "
                        f"SELECT CAST(:team AS VARCHAR), t.o, {sql.day_minus('d.k')}, t.s, "
                        "t.total - coalesce(late.n, 0) "
                        "FROM t CROSS JOIN d LEFT JOIN late ON late.o = t.o AND late.s = t.s AND late.k = d.k"
                    ),
                    params,
                )
        if sql.pg:
            for name in ("accounts", "activities", "step_changes"):
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {name}))"))
    with engine.connect() as connection:
        return {
            table: int(
                connection.scalar(text(f"SELECT count(*) FROM {table} WHERE team_id = :team"), params) or 0
            )
            for table in (
                "accounts",
                "activities",
                "step_changes",
                "followups",
                "recoveries",
                "pyramid_snapshots",
            )
        }


def _reached(kinds: list[str]) -> str:
    """The step the climb path's first activities lead to."""
    counts = dict.fromkeys(("call", "visit", "meal", "proposed", "won"), 0)
    for kind in kinds:
        counts[kind] += 1
    evidence = (counts["call"], counts["visit"], counts["meal"], counts["proposed"], counts["won"])
    return next((step for step, values in COUNTERS.items() if values == evidence), "name_only")


def _activity_day(sql: Sql) -> str:
    span = sql.days_between("a.last_touch_on", "a.created_on")
    return sql.day_plus("a.created_on", f"({span}) * p.seq / p.n")


def check_seed_ladder() -> None:
    """The seed's counters put each account on its step by the bot's own rule."""
    from bot.domain.stages import Evidence, Step, step_for

    for step, (remote, person, meals, proposals, won) in COUNTERS.items():
        evidence = Evidence(
            remote_touches=remote, in_person_meetings=person, meals=meals, proposals=proposals, deals_won=won
        )
        assert step_for(evidence) is Step(step), (step, step_for(evidence))
        assert _reached(CLIMB[step]) == step, step


# ------------------------------------------------------------------------------------------- database


def prepare_database(database: str, workdir: Path) -> str:
    """A migrated, empty database: "sqlite" (a new file in `workdir`) or a PostgreSQL URL (schema reset)."""
    from tests.support.database import migrated

    return migrated(None if database == "sqlite" else database, workdir / "load-bench.db", announce=True)


def vacuum(engine: Engine) -> None:
    """VACUUM ANALYZE, what autovacuum does within a minute of such a load: statistics for the planner and
    the visibility map for index-only scans. A transaction open elsewhere on the server can keep VACUUM
    from marking pages all-visible, so it is repeated (a few times at most) until the accounts are."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for _ in range(10):
            connection.execute(text("VACUUM ANALYZE"))
            pages, visible = connection.execute(
                text("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'accounts'")
            ).one()
            if visible >= pages:
                return
            time.sleep(1)
        print(f"warning: accounts {visible} of {pages} pages all-visible after VACUUM", file=sys.stderr)


def daily_job(url: str, team_id: str, today: date) -> float:
    """What the daily snapshot job does for the team today (the bot's own services), timed in s."""
    from bot.db import Database
    from bot.services import snapshots

    db = Database(url)
    start = time.perf_counter()
    with db.transaction() as session:
        snapshots.write_snapshot(session, team_id, today)
        write_figures = getattr(snapshots, "write_figures", None)
        if write_figures is not None:
            write_figures(session, team_id, today)
    elapsed = time.perf_counter() - start
    db.dispose()
    return elapsed


# ------------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(name: str, command: list[str], env: dict[str, str], port: int, workdir: Path) -> Server:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise SystemExit(f"{name} server did not answer /healthz: {log.read_text()[-3000:]}")


def serve_floor(port: int, api_url: str) -> None:
    """The floor: a bare Bolt app on the same waitress server (`bot.server.serve`), whose listeners only
    ack with a fixed reply. process_before_response=True: the ack is answered from the request thread,
    with no hop through Bolt's listener pool, the fastest a Bolt app can ack."""
    import re

    from slack_bolt import Ack, App
    from slack_sdk import WebClient

    from bot.server import serve

    app = App(
        client=WebClient(token="xoxb-bench", base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=True,
    )

    def only_ack(ack: Ack) -> None:
        ack(text="Logged.")

    app.command(re.compile(r"^/.*"))(only_ack)
    app.action(re.compile(r".*"))(only_ack)
    serve(app, host="127.0.0.1", port=port)


# ------------------------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class Job:
    scenario: str  # meeting, deal, account, pyramid, button
    port: int
    team: SeedTeam
    clients: int
    first_client: int
    threads: int
    seconds: float
    start_at: float  # time.monotonic() shared by every client process (CLOCK_MONOTONIC is system-wide)


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.lock = threading.Lock()
        self.waiting: dict[str, tuple[threading.Event, list[float]]] = {}

    def expect(self, key: str) -> tuple[threading.Event, list[float]]:
        slot: tuple[threading.Event, list[float]] = (threading.Event(), [])
        with self.lock:
            self.waiting[key] = slot
        return slot


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        stamp = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        key = self.path.rsplit("/", 1)[-1]
        receiver: _Receiver = self.server  # type: ignore[assignment]
        with receiver.lock:
            slot = receiver.waiting.pop(key, None)
        if slot is not None:
            slot[1].append(stamp)
            slot[0].set()
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return


def _request(job: Job, client: int, receiver_port: int, rng: random.Random) -> tuple[str, str, str]:
    """(key, content type, body) of one request as Slack sends it."""
    team = job.team
    rep = client % team.reps
    user = owner_id(team.tag, rep)
    key = uuid.uuid4().hex[:16]
    response_url = f"http://127.0.0.1:{receiver_port}/respond/{key}"
    account_id, name = team.account_of(rep, rng)
    if job.scenario == "button":
        payload = {
            "type": "block_actions",
            "team": {"id": team.team_id, "domain": "bench"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team.team_id},
            "api_app_id": "A0PYRAMID",
            "token": "legacy",
            "trigger_id": f"trig.{key}",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": "C0SALES",
                "is_ephemeral": True,
            },
            "channel": {"id": "C0SALES", "name": "sales"},
            "response_url": response_url,
            "actions": [
                {
                    "action_id": "show_account_0",
                    "block_id": "matches",
                    "type": "button",
                    "value": str(account_id),
                    "text": {"type": "plain_text", "text": name},
                    "action_ts": "1700000001.000200",
                }
            ],
        }
        return key, "application/x-www-form-urlencoded", urlencode({"payload": json.dumps(payload)})
    command, words = {
        "meeting": ("/meeting", f"{name} visit"),
        "deal": ("/deal", f"{name} won"),
        "account": ("/account", name),
        "pyramid": ("/pyramid", "team"),
    }[job.scenario]
    fields = command_fields(command, words, user, team.team_id, response_url, f"trig.{key}", domain="bench")
    return key, "application/x-www-form-urlencoded", urlencode(fields)


def _has_reply(body: bytes) -> bool:
    if not body.strip():
        return False
    try:
        parsed = json.loads(body)
    except ValueError:
        return True  # a plain-text ack body is shown to the user as the reply
    return isinstance(parsed, dict) and bool(parsed.get("text") or parsed.get("blocks"))


def client_process(job: Job, results: Any) -> None:
    """Runs job.threads closed-loop clients; puts (samples, errors, cpu seconds) on `results`."""
    receiver = _Receiver()
    threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = int(receiver.server_address[1])
    verifier = SignatureVerifier(SECRET)
    samples: list[tuple[float, float, float | None, bool]] = []  # sent at, ack ms, reply ms, reply in ack
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = job.start_at + job.seconds

    def run(client: int) -> None:
        rng = random.Random(client * 7919 + hash(job.scenario) % 1000)
        connection = http.client.HTTPConnection("127.0.0.1", job.port, timeout=30)
        mine: list[tuple[float, float, float | None, bool]] = []
        failures: list[str] = []
        while time.monotonic() < job.start_at:
            time.sleep(0.001)
        while (now := time.monotonic()) < stop_at:
            key, content_type, body = _request(job, client, port, rng)
            slot = receiver.expect(key)
            ts = str(int(time.time()))
            headers = {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body),
            }
            sent = time.monotonic()
            try:
                connection.request("POST", "/slack/events", body=body.encode(), headers=headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", job.port, timeout=30)
                continue
            acked = time.monotonic()
            if response.status != 200:
                failures.append(f"HTTP {response.status}: {answer[:200]!r}")
                continue
            if _has_reply(answer):
                mine.append((sent - job.start_at, (acked - sent) * 1000, (acked - sent) * 1000, True))
                with receiver.lock:
                    receiver.waiting.pop(key, None)
                continue
            if slot[0].wait(timeout=30):
                mine.append((sent - job.start_at, (acked - sent) * 1000, (slot[1][0] - sent) * 1000, False))
            else:
                failures.append("no reply at the response URL within 30 s")
                mine.append((sent - job.start_at, (acked - sent) * 1000, None, False))
            del now
        connection.close()
        with lock:
            samples.extend(mine)
            errors.extend(failures)

    threads = [threading.Thread(target=run, args=(job.first_client + index,)) for index in range(job.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((samples, errors, usage.ru_utime + usage.ru_stime))
    receiver.shutdown()


@dataclass
class Run:
    scenario: str
    target: str  # "floor" or "pyramid"
    repeat: int
    seconds: float
    samples: list[tuple[float, float, float | None, bool]]
    errors: list[str]
    server_cpu: float
    rss_mb: float
    client_cpu: list[float]
    fake_cpu: float

    @property
    def completed(self) -> int:
        return sum(1 for _sent, _ack, reply, _in_ack in self.samples if reply is not None)

    @property
    def throughput(self) -> float:
        return self.completed / self.seconds

    def acks(self) -> list[float]:
        return [ack for _sent, ack, _reply, _in_ack in self.samples]

    def replies(self) -> list[float]:
        return [reply for _sent, _ack, reply, _in_ack in self.samples if reply is not None]

    @property
    def reply_in_ack(self) -> float:
        return sum(1 for sample in self.samples if sample[3]) / max(1, len(self.samples))

    @property
    def cpu_ms_per_command(self) -> float:
        return self.server_cpu * 1000 / max(1, self.completed)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def drive(
    scenario: str,
    target: str,
    server: Server,
    team: SeedTeam,
    *,
    clients: int,
    processes: int,
    seconds: float,
    repeat: int,
) -> Run:
    # fork: the client processes start at once, with nothing of this process's state that they use.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.monotonic() + 0.3 + 0.1 * processes
    workers = []
    first = 0
    for index in range(processes):
        threads = clients // processes + (1 if index < clients % processes else 0)
        job = Job(scenario, server.port, team, clients, first, threads, seconds, start_at)
        first += threads
        worker = context.Process(target=client_process, args=(job, results), daemon=True)
        worker.start()
        workers.append(worker)
    while time.monotonic() < start_at:
        time.sleep(0.005)
    cpu_before = server.cpu_seconds()
    fake_before = _own_cpu()
    time.sleep(seconds)
    cpu_after = server.cpu_seconds()  # requests still in flight at the end finish uncounted
    fake_after = _own_cpu()
    rss = server.rss_mb()
    samples: list[tuple[float, float, float | None, bool]] = []
    errors: list[str] = []
    client_cpu: list[float] = []
    for _ in workers:
        got_samples, got_errors, cpu = results.get(timeout=seconds + 120)
        samples.extend(s for s in got_samples if s[0] < seconds)
        errors.extend(got_errors)
        client_cpu.append(cpu)
    for worker in workers:
        worker.join(timeout=30)
    return Run(
        scenario,
        target,
        repeat,
        seconds,
        samples,
        errors,
        cpu_after - cpu_before,
        rss,
        client_cpu,
        fake_after - fake_before,
    )


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------------------- digests


@dataclass
class DigestFigure:
    accounts: int
    reps: int
    seconds: float
    statements: int
    per_rep: float
    items: int


def measure_digests(url: str, team: SeedTeam, rep_counts: list[int], today: date) -> list[DigestFigure]:
    """`pyramid-bot digest` without the posting: the recipients, then each rep's digest in its own
    transaction, as bot/jobs/digest.py builds them. SQL statements counted on the engine."""
    from bot.db import Database
    from bot.services import digests

    db = Database(url)
    counter = {"n": 0}

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        # Queries only: SQLite's transactions add a BEGIN of their own, PostgreSQL's do not.
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    figures = []
    with db.transaction() as session:  # warm-up: connections, compiled statements
        digests.digest_for(session, team.team_id, team.owners()[0], today)
    for reps in rep_counts:
        counter["n"] = 0
        items = 0
        start = time.perf_counter()
        with db.transaction() as session:
            everyone = digests.reps(session, team.team_id)
        recipients_statements = counter["n"]
        for user_id in everyone[:reps]:
            with db.transaction() as session:
                digest = digests.digest_for(session, team.team_id, user_id, today)
            items += (
                len(digest.followups) + len(digest.recoveries) + len(digest.lapsing) + len(digest.stalled)
            )
        elapsed = time.perf_counter() - start
        per_rep = (counter["n"] - recipients_statements) / max(1, min(reps, len(everyone)))
        figures.append(
            DigestFigure(team.accounts, min(reps, len(everyone)), elapsed, counter["n"], per_rep, items)
        )
    event.remove(db.engine, "before_cursor_execute", count)
    db.dispose()
    return figures


# ------------------------------------------------------------------------------------------- report


def fmt(value: float, digits: int = 0) -> str:
    return "–" if value != value else f"{value:,.{digits}f}"


def print_table(runs: list[Run]) -> None:
    floors = {run.repeat: run for run in runs if run.target == "floor"}
    header = (
        "| scenario | run | cmds/s | ack p50 / p95 / p99 ms | reply p50 / p95 ms | reply in ack | "
        "× floor cmds/s | × floor ack p99 | server CPU ms/cmd | server RSS MB | client CPU % | errors |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for run in runs:
        floor = floors.get(run.repeat)
        acks, replies = run.acks(), run.replies()
        thr_ratio = run.throughput / floor.throughput if floor and floor.throughput else float("nan")
        ack_ratio = (
            percentile(acks, 0.99) / percentile(floor.acks(), 0.99)
            if floor and floor.samples
            else float("nan")
        )
        client = max(run.client_cpu) / run.seconds * 100 if run.client_cpu else float("nan")
        print(
            f"| {run.scenario if run.target == 'pyramid' else 'floor (bare Bolt)'} | {run.repeat} "
            f"| {fmt(run.throughput, 1)} "
            f"| {' / '.join(fmt(percentile(acks, share), 1) for share in (0.5, 0.95, 0.99))} "
            f"| {fmt(percentile(replies, 0.5), 1)} / {fmt(percentile(replies, 0.95), 1)} "
            f"| {run.reply_in_ack:.0%} | {fmt(thr_ratio, 2)} | {fmt(ack_ratio, 1)} "
            f"| {fmt(run.cpu_ms_per_command, 1)} | {fmt(run.rss_mb)} | {fmt(client)} | {len(run.errors)} |"
        )


def print_digests(figures: list[DigestFigure]) -> None:
    print("| accounts | reps | total s | s per rep | SQL statements | per rep | items |")
    print("|---|---|---|---|---|---|---|")
    for figure in figures:
        print(
            f"| {figure.accounts:,} | {figure.reps:,} | {figure.seconds:.2f} "
            f"| {figure.seconds / figure.reps * 1000:.1f} ms "
            f"| {figure.statements:,} | {figure.per_rep:.1f} | {figure.items:,} |"
        )


# ------------------------------------------------------------------------------------------- main


@contextmanager
def workspace(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="pyramid-load-"))
    try:
        yield path
    finally:
        if keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke size: small team, 2 s, 1 repeat")
    parser.add_argument("--database", default="sqlite", help="sqlite (a temp file) or a postgresql:// URL")
    parser.add_argument("--accounts", type=int, help="accounts of the load team (default 100000; quick 2000)")
    parser.add_argument("--seconds", type=float, help="per scenario (default 30; quick 2)")
    parser.add_argument("--repeats", type=int, help="default 3; quick 1")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--client-processes", type=int, default=2, help="processes the clients are spread over"
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of " + ", ".join(SCENARIOS)
    )
    parser.add_argument("--no-digests", action="store_true")
    parser.add_argument("--profile", metavar="DIR", help="py-spy record the server per scenario into DIR")
    parser.add_argument(
        "--code",
        default=os.environ.get("PYTHONPATH") or str(ROOT),
        help="the checkout whose bot/ the servers run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite file, server logs)")
    parser.add_argument("--serve-floor", nargs=2, metavar=("PORT", "API_URL"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_floor:
        serve_floor(int(args.serve_floor[0]), args.serve_floor[1])
        return 0
    quick = args.quick
    accounts = args.accounts or (2000 if quick else 100_000)
    seconds = args.seconds or (2.0 if quick else 30.0)
    repeats = args.repeats or (1 if quick else 3)
    scenarios = [name for name in args.scenarios.split(",") if name]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenarios: {sorted(unknown)}")
    check_seed_ladder()

    from zoneinfo import ZoneInfo

    from bot.clock import Clock
    from bot.db import Database
    from tests.support.fake_slack import FakeSlack

    today = Clock().today(ZoneInfo(ZONE))
    load_team = SeedTeam(LOAD_TEAM, "L", accounts, LOAD_REPS, 0)
    digest_teams = (
        []
        if args.no_digests
        else (
            [SeedTeam("T0DIGS", "S", 1000, 200, 10_000_000), SeedTeam("T0DIGB", "B", 4000, 200, 20_000_000)]
            if quick
            else [
                SeedTeam("T0DIG10K", "S", 10_000, 2000, 10_000_000),
                SeedTeam("T0DIG100K", "B", 100_000, 2000, 20_000_000),
            ]
        )
    )
    digest_reps = [20, 200] if quick else [200, 2000]
    ok = True
    with workspace(args.keep) as workdir:
        url = prepare_database(args.database, workdir)
        db = Database(url)
        version = database_version(db.engine)
        print(
            f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {version}"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        start = time.perf_counter()
        sizes = seed_team(db.engine, load_team, today, snapshot_days=31)
        for team in digest_teams:
            seed_team(db.engine, team, today, snapshot_days=0)
        if db.engine.dialect.name == "postgresql":
            vacuum(db.engine)
        seeded = time.perf_counter() - start
        db.dispose()
        print(
            f"seeded in {seeded:.1f} s: {LOAD_TEAM} "
            + ", ".join(f"{k} {v:,}" for k, v in sizes.items())
            + "; digest teams "
            + ", ".join(f"{t.team_id} {t.accounts:,} accounts / {t.reps:,} reps" for t in digest_teams)
        )
        print(f"daily snapshot job for {LOAD_TEAM}: {daily_job(url, LOAD_TEAM, today):.2f} s")

        runs: list[Run] = []
        with FakeSlack(team_id=LOAD_TEAM) as fake:
            for owner in load_team.owners():
                fake.add_user(owner, name=owner.lower(), tz=ZONE, locale="en-US")
            env = {
                **{
                    k: v
                    for k, v in os.environ.items()
                    if not k.startswith(("SLACK_", "PYRAMID_", "DATABASE_URL"))
                },
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.base_url,
                "DATABASE_URL": url,
                "PYRAMID_RUN_SCHEDULER": "false",
                "PYRAMID_TIMEZONE": ZONE,
                "PYRAMID_TEAM_CHANNEL": "C0TEAM",
                "PYRAMID_LOCALE": "en",
            }
            pyramid_port, floor_port = free_port(), free_port()
            # `pyramid-bot serve`, with the code from --code (default: this checkout) first on the path.
            pyramid_bot = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
            env["PYTHONPATH"] = str(Path(args.code).resolve())
            servers = [
                start_server(
                    "pyramid",
                    [*pyramid_bot, "serve"],
                    {**env, "PORT": str(pyramid_port)},
                    pyramid_port,
                    workdir,
                ),
                start_server(
                    "floor",
                    [
                        sys.executable,
                        str(Path(__file__).resolve()),
                        "--serve-floor",
                        str(floor_port),
                        fake.base_url,
                    ],
                    env,
                    floor_port,
                    workdir,
                ),
            ]
            pyramid, floor = servers
            try:
                for repeat in range(1, repeats + 1):
                    for scenario in ("floor", *scenarios):
                        server = floor if scenario == "floor" else pyramid
                        spy = None
                        if args.profile and scenario != "floor":
                            # All threads of the server, idle ones included, as collapsed stacks.
                            spy = subprocess.Popen(
                                [
                                    str(Path(sys.executable).parent / "py-spy"),
                                    "record",
                                    "--pid",
                                    str(server.pid),
                                    "--duration",
                                    str(int(seconds) + 1),
                                    "--rate",
                                    "50",
                                    "--idle",
                                    "--threads",
                                    "--format",
                                    "raw",
                                    "--output",
                                    str(Path(args.profile) / f"{scenario}-{repeat}.txt"),
                                ],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                            )
                        run = drive(
                            "meeting" if scenario == "floor" else scenario,
                            "floor" if scenario == "floor" else "pyramid",
                            server,
                            load_team,
                            clients=args.clients,
                            processes=args.client_processes,
                            seconds=seconds,
                            repeat=repeat,
                        )
                        runs.append(run)
                        if spy is not None:
                            spy.wait(timeout=60)
                        fake.clear()
                        if run.errors or not run.completed:
                            ok = False
                            print(
                                f"{scenario} run {repeat}: {len(run.errors)} errors, e.g. {run.errors[:3]}",
                                file=sys.stderr,
                            )
                        time.sleep(
                            0.5 if quick else 2.0
                        )  # the after-work of the last requests settles before the next scenario
            finally:
                for server in servers:
                    server.stop()
            if pyramid.process.returncode not in (0, -signal.SIGTERM):
                print(f"pyramid server exit code {pyramid.process.returncode}", file=sys.stderr)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"\n## Load: {args.clients} closed-loop clients in {args.client_processes} processes, "
            f"{seconds:g} s per run, {accounts:,} accounts\n"
        )
        print_table(runs)
        if digest_teams:
            figures = [
                figure for team in digest_teams for figure in measure_digests(url, team, digest_reps, today)
            ]
            print("\n## Digests (`digest_for` per rep, each in its own transaction)\n")
            print_digests(figures)
            per_rep = {figure.reps: set() for figure in figures}
            for figure in figures:
                per_rep[figure.reps].add(round(figure.per_rep, 3))
            same = all(len(values) == 1 for values in per_rep.values())
            print(f"\nSQL statements per rep the same at every team size: {'yes' if same else 'NO'}")
        if not ok:
            print("\nlogs kept in", workdir / "pyramid.log", file=sys.stderr)
            print((workdir / "pyramid.log").read_text()[-4000:], file=sys.stderr)
    print(f"\nverdict: {'all scenarios completed without errors' if ok else 'ERRORS (see above)'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
