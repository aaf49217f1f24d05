"""`pyramid-bot console`: the real Pyramid app against the Slack stand-in, driven from the terminal."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from bot.console.session import ConsoleSession
from bot.console.standin import SlackStandIn
from bot.i18n import t

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.db import Database

__all__ = ["run_console", "slack_locale"]


def slack_locale(locale: str | None, settings: Settings) -> str:
    """The Slack locale of the console's user: `ja` → `ja-JP`, anything else → `en-US`; full tags kept."""
    code = locale or settings.pyramid_locale
    if "-" in code:
        return code
    return "ja-JP" if code == "ja" else "en-US"


def run_console(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    team_id: str = "T0LOCAL",
    user_id: str = "U0LOCAL",
    user_name: str = "you",
    locale: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """`pyramid-bot console`: the real app against a local stand-in for Slack, driven from the terminal."""
    from slack_sdk import WebClient

    from bot.app import build_app
    from bot.jobs.snapshots import take_snapshots
    from bot.runtime import Runtime

    with SlackStandIn(team_id=team_id, bot_user_id="UBOT") as slack:
        # The one person at the console owns its local workspace: an admin, so a manager's corrections
        # (/account … step, merge, archive) can be tried too.
        slack.add_user(
            user_id,
            name=user_name,
            tz=settings.pyramid_timezone,
            locale=slack_locale(locale, settings),
            is_admin=True,
        )
        client = WebClient(token="xoxb-console", base_url=slack.base_url)
        # No scheduler runs beside the console: take today's snapshot (and any backfill) now, so that
        # /pyramid shows its 7- and 30-day trends from earlier console sessions.
        take_snapshots(Runtime(settings=settings, db=db, clock=clock), clock.now())
        app = build_app(
            settings, db=db, clock=clock, client=client, verify_requests=False, process_before_response=True
        )
        # The session says itself when the bot has no handler; Bolt's long suggestion is for developers.
        quiet = _WithoutUnhandledWarnings()
        app.logger.addFilter(quiet)
        try:
            # The console's own words in the user's language, as the bot's replies are.
            words = "ja" if slack_locale(locale, settings).lower().startswith("ja") else "en"
            local = {
                "digest": (
                    t(words, "con_what_digest"),
                    _digest_now(settings, db, clock, client, team_id, user_id, words),
                )
            }
            session = ConsoleSession(
                app,
                slack,
                team_id=team_id,
                user_id=user_id,
                user_name=user_name,
                local_commands=local,
                locale=words,
            )
            return session.run(stdin, stdout)
        finally:
            app.logger.removeFilter(quiet)


def _digest_now(
    settings: Settings, db: Database, clock: Clock, client: Any, team_id: str, user_id: str, locale: str
) -> Callable[[], str]:
    """The console has no scheduler running: `digest` sends this morning's digest on demand."""
    from bot.jobs.digest import send_digests_for
    from bot.runtime import Runtime

    runtime = Runtime(settings=settings, db=db, clock=clock)

    def send() -> str:
        day = clock.today(settings.zone)
        runs = send_digests_for(runtime, client, day=day, users=[user_id], teams=[team_id])
        outcome = runs[0].result.outcome.value if runs else "empty"
        if outcome == "sent":
            return ""
        if outcome == "already":
            return t(locale, "con_digest_already", day=day)
        if outcome == "empty":
            return t(locale, "con_digest_empty")
        return t(locale, "con_digest_other", outcome=outcome)

    return send


class _WithoutUnhandledWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unhandled request")
