"""The console (`pyramid-bot console`) run over lines typed in, against the test database."""

from __future__ import annotations

import io
from dataclasses import dataclass

from bot.clock import FixedClock
from bot.config import Settings
from bot.console.run import run_console
from bot.db import Database


@dataclass(frozen=True)
class ConsoleRun:
    status: int  # what `pyramid-bot console` would exit with
    printed: str  # everything it wrote, prompts and replies


def type_into_console(
    db: Database, clock: FixedClock, database_url: str, lines: str, locale: str
) -> ConsoleRun:
    """Types `lines` (newline-separated, ending with `quit`) into a console whose Pyramid speaks
    `locale`, in Tokyo time, as a developer does with `pyramid-bot console`."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        pyramid_locale=locale,
        pyramid_timezone="Asia/Tokyo",
    )
    stdout = io.StringIO()
    status = run_console(settings, db, clock, stdin=io.StringIO(lines), stdout=stdout)
    return ConsoleRun(status, stdout.getvalue())
