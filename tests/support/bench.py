"""The benchmarks in bench/ run as a developer runs them, for the tests that check they still work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str, cwd: Path = ROOT, timeout: float) -> str:
    """`python bench/<script> <args>` with this interpreter, out of reach of the developer's Slack and
    database settings (no SLACK_*, PYRAMID_* or DATABASE_URL variables): it must exit 0. What it
    printed to stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PYRAMID_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout
