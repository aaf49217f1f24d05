"""`pyramid-bot serve` at rest: its resident memory (VmRSS) against a bare Bolt app started the same way.

Run from the repository root:

    .venv/bin/python bench/serve_rss.py [--database sqlite|postgresql://…] [--runs 3]

For each database: `pyramid-bot serve` (fake Slack tokens, no traffic, the scheduler on) is started twice
on the same database (the first start migrates a fresh SQLite file; the second is a restart, the usual
case), and its VmRSS is read from /proc/<pid>/status 2 s after `GET /healthz` answers, then again after
one `GET /readyz`; then the same with PYRAMID_HOLIDAY_COUNTRY empty. The floors, started the same way: a
bare Bolt app (one command) behind Bolt's WSGI adapter on waitress, and the same plus `sqlalchemy.orm`,
`pydantic_settings` and one connected engine (what any Pyramid process needs). Linux only (/proc).
A PostgreSQL database must already be migrated (`pyramid-bot db upgrade`); nothing is written to it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable

FLOOR_APP = """
import os, sys
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
import waitress
if "--stack" in sys.argv:
    import pydantic_settings  # noqa: F401
    import sqlalchemy.orm  # noqa: F401
    from sqlalchemy import create_engine, text
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    with create_engine(url).connect() as connection:
        connection.execute(text("SELECT 1"))
app = App(token=os.environ["SLACK_BOT_TOKEN"], signing_secret=os.environ["SLACK_SIGNING_SECRET"],
          token_verification_enabled=False)
@app.command("/pyramid")
def pyramid(ack):
    ack("ok")
handler = SlackRequestHandler(app)
def wsgi(environ, start_response):
    if environ["PATH_INFO"] == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    return handler(environ, start_response)
waitress.serve(wsgi, host="127.0.0.1", port=int(os.environ["PORT"]), threads=8)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def vm_rss(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def measure(
    command: list[str], database: str, extra: dict[str, str] | None = None
) -> tuple[float, float | None]:
    """VmRSS (MiB) 2 s after /healthz answers, and after one /readyz (None if there is no /readyz)."""
    port = free_port()
    env = dict(os.environ, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET="bench", PORT=str(port))
    env["DATABASE_URL"] = database
    env.pop("SLACK_APP_TOKEN", None)
    env.update(extra or {})
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(f"{command} exited with {proc.returncode}") from None
                time.sleep(0.1)
        time.sleep(2)
        at_rest = vm_rss(proc.pid)
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5).read()
        except OSError:
            return at_rest, None
        time.sleep(1)
        return at_rest, vm_rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)


def bench(database: str, runs: int) -> list[str]:
    out = []
    with tempfile.TemporaryDirectory(prefix="pyramid-rss-") as tmp:
        url = f"sqlite:///{tmp}/serve.db" if database == "sqlite" else database
        serve = [str(Path(PYTHON).parent / "pyramid-bot"), "serve"]
        floor = [PYTHON, "-c", FLOOR_APP]
        rows = [
            ("pyramid-bot serve, first start", serve, {}),
            ("pyramid-bot serve, restart", serve, {}),
            (
                "pyramid-bot serve, restart, PYRAMID_HOLIDAY_COUNTRY empty",
                serve,
                {"PYRAMID_HOLIDAY_COUNTRY": ""},
            ),
            ("floor: bare Bolt app on waitress", floor, {}),
            ("floor: the same + sqlalchemy.orm + pydantic_settings + an engine", [*floor, "--stack"], {}),
        ]
        out.append(f"## {'SQLite' if database == 'sqlite' else 'PostgreSQL'}")
        out.append("")
        out.append("| process | VmRSS at rest, MiB (best of runs) | after one /readyz |")
        out.append("|---|---|---|")
        for label, command, extra in rows:
            if label.endswith("first start") and database != "sqlite":
                continue
            figures = []
            for _ in range(runs if not label.endswith("first start") else 1):
                figures.append(measure(command, url, extra))
            rest = min(figure[0] for figure in figures)
            ready = [figure[1] for figure in figures if figure[1] is not None]
            out.append(f"| {label} | {rest:.1f} | {f'{min(ready):.1f}' if ready else '—'} |")
    out.append("")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", action="append", help="sqlite or a migrated postgresql:// URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"# serve RSS bench; load average {os.getloadavg()[0]:.1f}; "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC\n"
    )
    for database in args.database or ["sqlite"]:
        for line in bench(database, args.runs):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
