"""`pyramid-bot`: start the bot (HTTP, Socket Mode or the local console), export, import, migrate."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.config import Settings, SettingsError, load_settings
from bot.db import Database, schema_revisions
from bot.i18n import t
from bot.runtime import Runtime

if TYPE_CHECKING:
    from bot.services.integrity import Mismatch

log = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    _configure_logging(settings.pyramid_log_format)
    try:
        return int(args.handler(settings, args))
    finally:
        # Close the pools this run opened: a CLI call inside a longer process (tests) must not leak them.
        while _opened:
            _opened.pop().dispose()


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _configure_logging(kind: str) -> None:
    """Once per process (basicConfig leaves logging alone when something configured it already)."""
    handler = logging.StreamHandler()
    handler.setFormatter(log_formatter(kind))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def log_formatter(kind: str) -> logging.Formatter:
    """Plain lines for a terminal; one JSON object per line for a log collector (PYRAMID_LOG_FORMAT=json)."""
    if kind == "json":
        from pythonjsonlogger.json import JsonFormatter

        return JsonFormatter(LOG_FORMAT, rename_fields={"asctime": "time", "levelname": "level"})
    return logging.Formatter(LOG_FORMAT)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyramid-bot", description="Pyramid: grow your customer pyramid in Slack."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    start = sub.add_parser(
        "start", help="Slack if tokens are set (Socket Mode with SLACK_APP_TOKEN), else the console"
    )
    start.set_defaults(handler=cmd_start)
    sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz").set_defaults(
        handler=cmd_serve
    )
    sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)").set_defaults(handler=cmd_socket)

    console = sub.add_parser("console", help="a local terminal session with no Slack")
    console.add_argument("--team", default="T0LOCAL", help="team id to act as (default T0LOCAL)")
    console.add_argument("--user", default="U0LOCAL", help="user id to act as (default U0LOCAL)")
    console.add_argument("--name", default="you", help="user name shown in the console")
    console.add_argument("--locale", choices=["en", "ja"], help="language (default PYRAMID_LOCALE)")
    console.set_defaults(handler=cmd_console)

    export = sub.add_parser("export", help="every account as JSON or CSV on standard output")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument(
        "--date", type=_iso_date, help="the day each status is judged on (default: today in PYRAMID_TIMEZONE)"
    )
    export.add_argument("--team", action="append", help="only this team (repeatable)")
    export.add_argument(
        "--activities",
        action="store_true",
        help="every activity instead (deleted and edited ones included, with who and when)",
    )
    export.set_defaults(handler=cmd_export)

    importer = sub.add_parser(
        "import", help="load an account list (CSV: name, owner, optional step, segment)"
    )
    importer.add_argument("file", type=Path)
    importer.add_argument("--team", help="team id (needed when the database holds several teams or none)")
    importer.add_argument("--skip-bad", action="store_true", help="load the good rows even if some are bad")
    importer.set_defaults(handler=cmd_import)

    digest = sub.add_parser("digest", help="send the morning digests now, as on that date's morning")
    digest.add_argument("--date", type=_iso_date, help="YYYY-MM-DD (default: today in PYRAMID_TIMEZONE)")
    digest.add_argument("--user", action="append", help="only this user id (repeatable)")
    digest.add_argument("--team", action="append", help="only this team id (repeatable)")
    digest.set_defaults(handler=cmd_digest)
    summary = sub.add_parser("summary", help="post the weekly team summary now, as on that date")
    summary.add_argument("--date", type=_iso_date, help="YYYY-MM-DD (default: today in PYRAMID_TIMEZONE)")
    summary.add_argument("--team", action="append", help="only this team id (repeatable)")
    summary.set_defaults(handler=cmd_summary)
    sub.add_parser("scheduler", help="run the scheduled jobs alone").set_defaults(handler=cmd_scheduler)

    team = sub.add_parser("team", help="a workspace's data")
    team_sub = team.add_subparsers(dest="team_command", required=True)
    team_delete = team_sub.add_parser("delete", help="remove every row of one team (asks unless --yes)")
    team_delete.add_argument("team_id", help="the Slack team id, T…")
    team_delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    team_delete.set_defaults(handler=cmd_team_delete)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)
    db_check = db_sub.add_parser(
        "check", help="verify that every account's counters and step agree with its activities"
    )
    db_check.add_argument("--fix", action="store_true", help="repair what does not agree")
    db_check.add_argument("--team", action="append", help="only this team id (repeatable)")
    db_check.set_defaults(handler=cmd_db_check)
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def _say(settings: Settings, key: str, /, **params: object) -> str:
    """A CLI message in PYRAMID_LOCALE: the command line has no Slack user whose locale could win."""
    return t(settings.pyramid_locale, key, **params)


def _can_post(settings: Settings, command: str) -> bool:
    """Whether the command has a token to post with; when not, says which settings give one."""
    if not settings.can_post:
        print(_say(settings, "cli_needs_token", command=command), file=sys.stderr)
    return settings.can_post


def _runtime(settings: Settings, *, prepare_schema: bool) -> Runtime:
    return Runtime(settings=settings, db=_database(settings, prepare_schema=prepare_schema), clock=Clock())


def _start_scheduler(runtime: Runtime, *, embedded: bool = True) -> Callable[[float], None]:
    """The schedules run beside the app, in one process at a time: on PostgreSQL the replica that holds
    the scheduler lock runs them and another takes over when it goes (bot/jobs/leader.py); on SQLite the
    one process does. Embedded in `serve` or `socket`, PYRAMID_RUN_SCHEDULER=false leaves them to other
    processes. Returns how to stop it within a number of seconds."""
    if embedded and not runtime.settings.pyramid_run_scheduler:
        return lambda _seconds: None
    from bot.jobs.leader import Leadership
    from bot.jobs.scheduler import build_scheduler, job_client

    scheduler = build_scheduler(runtime, job_client(runtime), blocking=False)

    def elected() -> None:
        if scheduler.running:
            scheduler.resume()
        else:
            scheduler.start()

    leadership = Leadership(runtime.db.url, elected=elected, deposed=scheduler.pause)
    leadership.start()

    def stop(seconds: float) -> None:
        # A job cut short is safe (every delivery is in the ledger and its claim is retried), but a
        # job that finishes in time is better: wait for it, within the bound.
        leadership.stop(seconds / 2)
        if scheduler.running:
            stopper = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
            stopper.start()
            stopper.join(seconds / 2)

    return stop


_opened: list[Database] = []


def _database(settings: Settings, *, prepare_schema: bool) -> Database:
    """The database; with `prepare_schema` (a command that reads and writes Pyramid's tables), its
    schema made or checked to be the one this code expects, so that no bot ever runs on a wrong one."""
    db = Database(settings.database_url)
    _opened.append(db)
    if not prepare_schema:
        return db
    # SQLite is the zero-setup default: a first run needs no separate migration step. PostgreSQL is
    # shared by replicas and migrated on purpose: at start only when asked to (under a lock), else
    # the start is refused with the command that fixes it.
    if db.url.startswith("sqlite") or settings.pyramid_migrate_on_start:
        db.upgrade()
        return db
    current, heads = schema_revisions(db.url)
    if current != heads:
        found = ", ".join(sorted(current)) or _say(settings, "cli_schema_empty")
        raise SystemExit(_say(settings, "cli_schema_behind", found=found, heads=", ".join(sorted(heads))))
    return db


def cmd_start(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.has_slack_tokens:
        print(_say(settings, "cli_start_console"))
        args.team, args.user, args.name, args.locale = "T0LOCAL", "U0LOCAL", "you", None
        return cmd_console(settings, args)
    if settings.slack_app_token is not None:
        return cmd_socket(settings, args)
    return cmd_serve(settings, args)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app import build_app, runtime_of
    from bot.health import readiness
    from bot.server import serve

    if not settings.has_slack_tokens:
        print(_say(settings, "cli_serve_needs"), file=sys.stderr)
        return 2
    from bot.metrics import Metrics

    runtime = _runtime(settings, prepare_schema=True)
    app = build_app(settings, db=runtime.db, clock=runtime.clock)
    answering = runtime_of(app)
    metrics = Metrics()
    answering.metrics = runtime.metrics = metrics  # requests, and the jobs this process runs
    metrics.watch(answering.after_work_in_flight, runtime.db)
    stop_scheduler = _start_scheduler(runtime)

    def on_stop(seconds: float) -> None:
        """SIGTERM: the requests under way are answered; now finish their after-work and the jobs."""
        started = time.monotonic()
        runtime_of(app).close(timeout=seconds / 2)
        stop_scheduler(max(seconds - (time.monotonic() - started), 0.5))

    log.info(
        "Pyramid listening on port %s (POST /slack/events, GET /healthz, GET /readyz, GET /metrics%s)",
        settings.port,
        ", GET /slack/install, GET /slack/oauth_redirect" if settings.oauth_mode else "",
    )
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    serve(
        app,
        host="0.0.0.0",
        port=settings.port,
        threads=settings.pyramid_http_threads,
        signing_secret=secret,
        readiness=lambda: readiness(runtime.db),
        metrics=metrics,
        on_stop=on_stop,
    )
    return 0


def cmd_socket(settings: Settings, args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.app import build_app, runtime_of

    if settings.slack_bot_token is None or settings.slack_app_token is None:
        print(_say(settings, "cli_socket_needs"), file=sys.stderr)
        return 2
    # Socket Mode messages come over an authenticated websocket, not signed HTTP requests.
    runtime = _runtime(settings, prepare_schema=True)
    app = build_app(settings, db=runtime.db, clock=runtime.clock, verify_requests=False)
    stop_scheduler = _start_scheduler(runtime)
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    stopped = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        # Every request acked so far was stored before its ack; finish what follows and stop.
        log.info("%s received: closing the Socket Mode connection", signal.Signals(signum).name)
        stopped.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    handler.connect()  # type: ignore[no-untyped-call]
    stopped.wait()
    handler.close()  # type: ignore[no-untyped-call]
    runtime_of(app).close(timeout=5.0)
    stop_scheduler(5.0)
    return 0


def cmd_console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console.run import run_console

    # The terminal is the user interface here: only warnings and errors go beside it.
    logging.getLogger().setLevel(logging.WARNING)
    # The console plays one workspace itself: installs through OAuth have no place in it.
    settings = settings.model_copy(update={"slack_client_id": None, "slack_client_secret": None})
    db = _database(settings, prepare_schema=True)
    return run_console(
        settings, db, Clock(), team_id=args.team, user_id=args.user, user_name=args.name, locale=args.locale
    )


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.exports import Progress, write_export

    db = _database(settings, prepare_schema=False)
    # On the terminal only, and on stderr: stdout is the export.
    progress = Progress(_say(settings, "cli_progress_exported"), locale=settings.pyramid_locale)
    if getattr(args, "activities", False):
        from bot.services.activity_export import write_activities

        with db.read() as session:
            count = write_activities(session, sys.stdout, args.format, args.team, progress=progress)
        progress.finish(count)
        return 0
    with db.read() as session:
        count = write_export(
            session,
            sys.stdout,
            args.format,
            args.team,
            today=args.date or Clock().today(settings.zone),
            rules=settings.dormant_rules,
            progress=progress,
        )
    progress.finish(count)
    return 0


def _directory(settings: Settings) -> Callable[[list[str]], dict[str, str]] | None:
    """Who the file's owners are, when they are given by e-mail or name: the workspace's members, read
    with the bot token (None without one: then owners must be Slack user ids)."""
    if settings.slack_bot_token is None:
        return None
    from slack_sdk import WebClient

    from bot.services.directory import SlackDirectory

    token = settings.slack_bot_token.get_secret_value()
    return SlackDirectory(WebClient(token=token, base_url=settings.slack_api_url))


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.accounts import team_ids
    from bot.services.exports import Progress
    from bot.services.imports import apply_import, decode_file, read_import

    try:
        text = decode_file(args.file.read_bytes())
    except OSError as error:
        print(_say(settings, "cli_cannot_read", file=args.file, error=error), file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(_say(settings, "cli_not_text", file=args.file), file=sys.stderr)
        return 2
    clock = Clock()
    rows, problems = read_import(text, today=clock.today(settings.zone), directory=_directory(settings))
    locale = settings.pyramid_locale
    for line, problem in problems:
        print(_say(settings, "cli_import_line", line=line, problem=problem.said(locale)), file=sys.stderr)
    if problems and not args.skip_bad:
        print(_say(settings, "cli_import_refused", count=len(problems)), file=sys.stderr)
        return 1
    db = _database(settings, prepare_schema=True)
    with db.transaction() as session:
        team_id = args.team
        if team_id is None:
            known = team_ids(session)
            if len(known) != 1:
                print(_say(settings, "cli_which_team", count=len(known)), file=sys.stderr)
                return 2
            team_id = known[0]
        progress = Progress(_say(settings, "cli_progress_imported"), locale=settings.pyramid_locale)
        report = apply_import(
            session, team_id, rows, now=clock.now(), today=clock.today(settings.zone), progress=progress
        )
    progress.finish(len(rows))
    print(
        _say(
            settings,
            "cli_imported",
            team=team_id,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=len(problems),
        )
    )
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs.digest import send_digests_for
    from bot.jobs.scheduler import job_client

    if not _can_post(settings, "digest"):
        return 2
    runtime = _runtime(settings, prepare_schema=True)
    day = args.date or runtime.clock.today(settings.zone)
    runs = send_digests_for(runtime, job_client(runtime), day=day, users=args.user, teams=args.team)
    for run in runs:
        outcome = run.result.outcome.value
        print(
            _say(settings, "cli_digest_run", team=run.team_id, user=run.user_id, day=run.day, outcome=outcome)
        )
    failed = [run for run in runs if run.result.outcome.value == "failed"]
    return 1 if failed else 0


def cmd_summary(settings: Settings, args: argparse.Namespace) -> int:
    from bot.jobs.scheduler import job_client
    from bot.jobs.snapshots import take_snapshots
    from bot.jobs.summary import send_summaries_for

    # Each team's channel is its own setting (or PYRAMID_TEAM_CHANNEL); a team with none is skipped.
    if not _can_post(settings, "summary"):
        return 2
    runtime = _runtime(settings, prepare_schema=True)
    take_snapshots(runtime, runtime.clock.now())  # last week's outline needs the snapshots
    day = args.date or runtime.clock.today(settings.zone)
    runs = send_summaries_for(runtime, job_client(runtime), day=day, teams=args.team)
    for run in runs:
        chart = run.chart.outcome.value if run.chart else "-"
        outcome = run.message.outcome.value
        print(_say(settings, "cli_summary_run", team=run.team_id, day=run.day, outcome=outcome, chart=chart))
    failed = [run for run in runs if run.message.outcome.value == "failed"]
    return 1 if failed else 0


def cmd_scheduler(settings: Settings, args: argparse.Namespace) -> int:
    """The schedules alone (beside `serve` processes started with PYRAMID_RUN_SCHEDULER=false): under
    the same leadership, so any number of these run the jobs once. Stops on SIGTERM or SIGINT."""
    if not _can_post(settings, "scheduler"):
        return 2
    from prometheus_client import start_http_server

    from bot.metrics import Metrics

    runtime = _runtime(settings, prepare_schema=True)
    scheduling = runtime.__class__(
        settings=settings.model_copy(update={"pyramid_run_scheduler": True}),
        db=runtime.db,
        clock=runtime.clock,
    )
    # Its own /metrics on PORT (jobs' run time and lag, deliveries, Slack's errors): it serves no Slack.
    scheduling.metrics = Metrics()
    scheduling.metrics.watch(scheduling.after_work_in_flight, runtime.db)
    start_http_server(settings.port, registry=scheduling.metrics.registry)
    stop = _start_scheduler(scheduling)
    log.info(
        "Pyramid scheduler running (digest at %s local time; GET /metrics on port %s)",
        settings.pyramid_digest_time,
        settings.port,
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    stop(10.0)
    return 0


def cmd_team_delete(settings: Settings, args: argparse.Namespace) -> int:
    """Shows what the team has, asks (unless --yes), then deletes it all in one transaction."""
    from bot.installs import count_team_installs, delete_team_installs
    from bot.services.teams import delete_team, row_counts

    db = _database(settings, prepare_schema=False)
    with db.read() as session:
        counts = row_counts(session, args.team_id) | count_team_installs(session.connection(), args.team_id)
    if not any(counts.values()):
        print(_say(settings, "cli_team_nothing", team=args.team_id))
        return 0
    separator = "、" if settings.pyramid_locale == "ja" else ", "
    listed = separator.join(
        _say(settings, "cli_team_count", count=count, table=table) for table, count in counts.items() if count
    )
    print(_say(settings, "cli_team_listing", team=args.team_id, listed=listed))
    if not args.yes:
        answer = input(_say(settings, "cli_team_confirm", team=args.team_id)).strip()
        if answer != args.team_id:
            print(_say(settings, "cli_team_kept"))
            return 1
    with db.transaction() as session:
        deleted = sum(delete_team(session, args.team_id).values())
        # Its installation (the bot token) too: a team deleted here is also uninstalled for Pyramid.
        deleted += delete_team_installs(session.connection(), args.team_id)
    print(_say(settings, "cli_team_deleted", count=deleted, team=args.team_id))
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    _database(settings, prepare_schema=False).upgrade()
    print(_say(settings, "cli_db_up_to_date"))
    return 0


def cmd_db_check(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when every account agrees with its activities (after --fix, when it repaired them all)."""
    from bot.services import integrity

    db = _database(settings, prepare_schema=False)
    threshold = settings.pyramid_repeater_threshold
    if args.fix:
        clock = Clock()
        report = integrity.fix(
            db,
            repeater_threshold=threshold,
            now=clock.now(),
            today=clock.today(settings.zone),
            team_ids=args.team,
        )
    else:
        report = integrity.check(db, repeater_threshold=threshold, team_ids=args.team)
    for mismatch in report.mismatches:
        print(_mismatch(settings, mismatch))
    totals = {"checked": report.accounts_checked, "wrong": report.accounts_wrong}
    print(_say(settings, "cli_check_totals", **totals, mismatches=len(report.mismatches)))
    if not args.fix:
        return 0 if report.ok else 1
    print(_say(settings, "cli_check_repaired", count=len(report.accounts_fixed)))
    after = integrity.check(db, repeater_threshold=threshold, team_ids=args.team)
    for mismatch in after.mismatches:
        print(_say(settings, "cli_check_still_wrong", line=_mismatch(settings, mismatch)))
    return 0 if after.ok else 1


def _mismatch(settings: Settings, mismatch: Mismatch) -> str:
    """One disagreement, as `Mismatch.line()` says it in English; the field and values are the columns'."""
    return _say(
        settings,
        "cli_check_mismatch",
        team=mismatch.team_id,
        id=mismatch.account_id,
        account=mismatch.account,
        field=mismatch.field,
        stored=mismatch.stored,
        expected=mismatch.expected,
    )


if __name__ == "__main__":
    sys.exit(main())
