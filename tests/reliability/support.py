"""What the reliability tests share: commands sent as Slack sends them and classified by their answer,
`pyramid-bot serve` as a real process, a TCP proxy that plays a stopped or hanging database, and the
checks that an account's counters, steps, step changes and announcements came out exactly right."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sql_select

from bot.db import Database
from bot.domain.stages import Step
from bot.models import Account, Activity, Delivery, StepChange
from bot.services import integrity
from tests.support.fake_slack import FakeSlack
from tests.support.server import free_port
from tests.support.slack_driver import SlackDriver, text_of

REPO = Path(__file__).resolve().parents[2]
# What the bot calls a stage announcement in the delivery ledger (one row per (team, kind, ref)).
ANNOUNCE_KIND = "stage_change"
LOGGED = re.compile(r"\bLogged an? |\bAlready logged\b")
NOT_STORED = re.compile(r"nothing (?:was|has been|got) (?:stored|saved|logged)", re.IGNORECASE)
# Connection-level failures: the server is down, was killed mid-request or stopped listening.
DOWN = (urllib.error.URLError, ConnectionError, http.client.HTTPException, TimeoutError, OSError)


@dataclass(frozen=True)
class Answer:
    """What one command got back: HTTP status (None: no answer at all), the ack body, the time taken."""

    trigger_id: str
    status: int | None
    body: str
    key: str
    elapsed: float
    problem: str = ""
    started: float = 0.0  # time.monotonic() when it was sent

    @property
    def ack_text(self) -> str:
        if not self.body:
            return ""
        try:
            data = json.loads(self.body)
        except ValueError:
            return self.body
        return text_of(data) if isinstance(data, dict) else self.body


def send(driver: SlackDriver, command: str, text: str, trigger_id: str, *, user: str = "U0REP1") -> Answer:
    """One slash command; a dead or vanished server is an answer too (status None)."""
    start = time.monotonic()
    try:
        sent, key = driver.command(command, text, trigger_id=trigger_id, user=user)
    except DOWN as error:
        problem = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
        return Answer(trigger_id, None, "", "", time.monotonic() - start, problem, start)
    return Answer(trigger_id, sent.status, sent.body, key, time.monotonic() - start, started=start)


def log_modal_values(account: str, kind: str, on: date, note: str) -> dict[str, dict[str, Any]]:
    """A log modal's state.values as Slack sends them (see tests/e2e/test_buttons_and_modals.py)."""

    def option(value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}

    return {
        "account": {"account_select": {"type": "external_select", "selected_option": option(account)}},
        "kind": {"kind": {"type": "radio_buttons", "selected_option": option(kind)}},
        "date": {"date": {"type": "datepicker", "selected_date": on.isoformat()}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def submit(
    driver: SlackDriver, view: dict[str, Any], values: dict[str, dict[str, Any]], view_id: str
) -> Answer:
    """A modal submission; its answer is classified by `modal_verdict`."""
    start = time.monotonic()
    try:
        sent = driver.submit(view, values, view_id=view_id)
    except DOWN as error:
        problem = f"{type(error).__name__}: {getattr(error, 'reason', error)}"
        return Answer(view_id, None, "", "", time.monotonic() - start, problem, start)
    return Answer(view_id, sent.status, sent.body, "", time.monotonic() - start, started=start)


def modal_verdict(answer: Answer) -> str:
    """A submission's empty 200 closes the modal: `acked` (it must be stored); a 200 with
    `response_action: errors` keeps it open: `error`; no answer: `none`."""
    if answer.status is None:
        return "none"
    if answer.status != 200:
        return "error"
    if not answer.body.strip():
        return "acked"
    try:
        data = json.loads(answer.body)
    except ValueError:
        return "other"
    if isinstance(data, dict) and data.get("response_action") == "errors":
        said = " ".join(str(text) for text in (data.get("errors") or {}).values())
        return "error" if NOT_STORED.search(said) else "other"
    return "acked" if isinstance(data, dict) and not data.get("response_action") else "other"


def reply_text(answer: Answer, slack: FakeSlack, *, wait: float) -> str:
    """What the user was told: the ack body, or else what came to the command's response URL."""
    if answer.ack_text.strip():
        return answer.ack_text
    deadline = time.monotonic() + wait
    while True:
        for call in slack.calls_to("response_url"):
            if call.key == answer.key:
                return text_of(call.body)
        if time.monotonic() >= deadline:
            return ""
        time.sleep(0.02)


def told_within(answer: Answer, slack: FakeSlack, limit: float) -> str:
    """What the user was told within `limit` seconds of sending (ack body or response URL), or ""."""
    if answer.status is None or answer.elapsed > limit:
        return ""
    return reply_text(answer, slack, wait=max(0.0, limit - (time.monotonic() - answer.started)))


def verdict(answer: Answer, slack: FakeSlack, *, wait: float = 0.0) -> str:
    """`stored` (a 200 saying what was logged), `acked` (a 200 saying nothing yet: it must be stored
    all the same), `error` (an error status, or a 200 saying nothing was stored), `other` (a 200
    saying something else: unexpected anywhere here) or `none` (no answer)."""
    if answer.status is None:
        return "none"
    if answer.status != 200:
        return "error"
    said = reply_text(answer, slack, wait=wait)
    if NOT_STORED.search(said) and not LOGGED.search(said):
        return "error"
    if LOGGED.search(said):
        return "stored"
    return "other" if said.strip() else "acked"


def report(line: str) -> None:
    """A figure for README's Reliability section: shown with `pytest tests/reliability -s`."""
    print(f"\n[reliability] {line}")


# ------------------------------------------------------------------------------------ the database


def request_keys(db: Database, team: str) -> Counter[str]:
    """How many activities each Slack request stored."""
    with db.transaction() as session:
        keys = session.scalars(
            sql_select(Activity.request_key).where(
                Activity.team_id == team, Activity.request_key.is_not(None)
            )
        )
        return Counter(str(key) for key in keys)


def stored_for(keys: Counter[str], trigger_id: str) -> int:
    """Activities stored for one Slack request: keys are "command:<trigger id>", "view:<view id>"…"""
    return sum(count for key, count in keys.items() if key.partition(":")[2] == trigger_id)


def account_by_name(db: Database, team: str, name: str) -> Account:
    with db.transaction() as session:
        account = session.scalar(sql_select(Account).where(Account.team_id == team, Account.name == name))
        assert account is not None, f"no account {name}"
        return account


def ladder_problems(db: Database, team: str, account_id: int) -> list[str]:
    """Everything wrong with one account's ladder: its step changes must form one rising chain from
    "name only" to the stored step (one row per real change, none down, none twice), the step must be
    the one its evidence supports, and each stage change must have exactly one announcement."""
    problems: list[str] = []
    with db.transaction() as session:
        account = session.scalar(sql_select(Account).where(Account.id == account_id))
        assert account is not None
        changes = session.execute(
            sql_select(StepChange.from_step, StepChange.to_step, StepChange.reason, StepChange.activity_id)
            .where(StepChange.team_id == team, StepChange.account_id == account_id)
            .order_by(StepChange.id)
        ).all()
        activity_ids = set(session.scalars(sql_select(Activity.id).where(Activity.account_id == account_id)))
        announced = session.scalars(
            sql_select(Delivery.ref).where(Delivery.team_id == team, Delivery.kind == ANNOUNCE_KIND)
        ).all()
    previous = Step.NAME_ONLY
    for before, after, reason, activity_id in changes:
        if reason != "activity":
            problems.append(f"a step change with reason {reason} ({before} -> {after})")
        if Step(before or Step.NAME_ONLY.value) != previous:
            problems.append(
                f"step change {before} -> {after} does not start where the last ended ({previous})"
            )
        if Step(after) <= Step(before or Step.NAME_ONLY.value):
            problems.append(f"step moved down or sideways: {before} -> {after}")
        if activity_id is not None and activity_id not in activity_ids:
            problems.append(
                f"step change {before} -> {after} names activity {activity_id} of another account"
            )
        previous = Step(after)
    if account.step != previous.value:
        problems.append(f"stored step {account.step}, but the step changes end at {previous.value}")
    stage_changes = sorted(
        activity_id
        for before, after, _reason, activity_id in changes
        if Step(after).stage != Step(before or Step.NAME_ONLY.value).stage
    )
    mine = sorted(int(ref) for ref in announced if ref.isdigit() and int(ref) in activity_ids)
    if mine != stage_changes:
        problems.append(f"stage changes by activities {stage_changes}, but announcements for {mine}")
    return problems


def step_path(db: Database, account_id: int) -> list[tuple[str, str]]:
    with db.transaction() as session:
        rows = session.execute(
            sql_select(StepChange.from_step, StepChange.to_step)
            .where(StepChange.account_id == account_id)
            .order_by(StepChange.id)
        ).all()
        return [(before or Step.NAME_ONLY.value, after) for before, after in rows]


def announcements_posted(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [call.body for call in slack.calls_to("chat.postMessage") if call.body.get("channel") == channel]


def integrity_problems(db: Database, team: str) -> list[str]:
    report = integrity.check(db, repeater_threshold=3, team_ids=[team])
    return [mismatch.line() for mismatch in report.mismatches]


def count_activities(db: Database, team: str) -> int:
    with db.transaction() as session:
        return int(session.scalar(sql_select(func.count()).where(Activity.team_id == team)) or 0)


# ------------------------------------------------------------------------------- processes, ports


def clean_environment() -> dict[str, str]:
    """The parent's environment without any Pyramid or Slack setting: each process gets only ours."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith(("PYRAMID_", "SLACK_", "DATABASE_URL", "PORT"))
    }
    env["PYTHONPATH"] = str(REPO)
    env["PYTHONUNBUFFERED"] = "1"
    return env


class ServeProcess:
    """`pyramid-bot serve` (or another long-running command: `scheduler`, which answers only /metrics on
    its port) in its own process (its own session, so it can be signalled alone)."""

    def __init__(
        self, env: dict[str, str], port: int, workdir: Path, name: str = "serve", command: str = "serve"
    ) -> None:
        self.env = {**clean_environment(), **env, "PORT": str(port)}
        self.port = port
        self.workdir = workdir
        self.name = name
        self.command = command
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def driver(self, slack: Any) -> SlackDriver:
        """Slack, sending to this process."""
        return SlackDriver(self.url, slack)

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self, timeout: float = 20.0) -> None:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n----- start {self.starts}\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", self.command],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            if self.healthy():
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.name} not healthy within {timeout}s:\n{self.log()}")

    def healthy(self) -> bool:
        try:
            path = "/healthz" if self.command == "serve" else "/metrics"
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=0.5) as response:
                return bool(response.status == 200)
        except DOWN:
            return False

    def signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def wait(self, timeout: float) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGKILL if still running (finaliser: no process outlives its test)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""


# ------------------------------------------------------------------------------ a database proxy


class TcpProxy:
    """127.0.0.1:port -> upstream, which the test can make behave like a database that is
    `forward` (fine), `stopped` (connections refused, open ones cut) or `hanging` (connections
    accepted and kept, but nothing answered until the trouble ends)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._mode = "forward"
        self._cond = threading.Condition()
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket | None]] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._listen()

    # ------------------------------------------------------------ control
    def forward(self) -> None:
        with self._cond:
            self._mode = "forward"
            self._cond.notify_all()
        if self._listener is None:
            self._listen()

    def stop(self) -> None:
        """As a stopped database: refuse new connections, cut the open ones."""
        with self._cond:
            self._mode = "stopped"
            listener, self._listener = self._listener, None
            pairs, self._pairs = self._pairs, []
            self._cond.notify_all()
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it listening.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for pair in pairs:
            for sock in pair:
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()

    def hang(self) -> None:
        """As a hanging database: everything is accepted, nothing is answered."""
        with self._cond:
            self._mode = "hanging"

    def close(self) -> None:
        self._closed = True
        self.stop()
        for thread in self._threads:
            thread.join(timeout=2)

    # ------------------------------------------------------------ the relay
    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True, name="proxy-accept")
        thread.start()
        self._threads.append(thread)

    def _accept(self, listener: socket.socket) -> None:
        while not self._closed:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            thread = threading.Thread(target=self._relay, args=(client,), daemon=True, name="proxy-relay")
            thread.start()
            self._threads.append(thread)

    def _flowing(self) -> bool:
        """Waits while hanging; False once the connection should end."""
        with self._cond:
            self._cond.wait_for(lambda: self._mode != "hanging" or self._closed, timeout=0.05)
            return self._mode == "forward" and not self._closed

    def _relay(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        with self._cond:
            self._pairs.append((client, None))
        try:
            while self._mode == "hanging" and not self._closed:
                self._flowing()
            if self._mode != "forward":
                return
            upstream = socket.create_connection(self.upstream, timeout=5)
            with self._cond:
                self._pairs.append((client, upstream))
            sockets = [client, upstream]
            while not self._closed:
                if self._mode == "hanging":
                    self._flowing()
                    continue
                if self._mode != "forward":
                    return
                readable, _, _ = select.select(sockets, [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
