"""The console's read-eval-print loop: one user's lines in, what the bot answered out.

`ConsoleSession` needs no database: give it any Bolt `App` and anything with the `calls` /
`response_url` of `bot.console.standin.SlackStandIn`. `bot.console.run.run_console` builds the real app.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from slack_bolt import App

from bot.console.elements import ButtonRef
from bot.console.flow import Cancelled, Flow, Json, ViewChanged
from bot.console.forms import FormStack
from bot.console.interact import Interactions
from bot.console.payloads import BotLink, Identity, SlackDouble
from bot.console.timeline import Timeline
from bot.i18n import t

__all__ = ["DEFAULT_COMMANDS", "PROMPT", "ConsoleSession", "default_commands"]

PROMPT = "pyramid> "

# The slash commands `help` lists, by their catalogue keys: con_usage_<name> and con_what_<name>.
_COMMAND_KEYS = ("meeting", "deal", "account", "pyramid", "settings", "followup", "trouble")


def default_commands(locale: str) -> tuple[tuple[str, str], ...]:
    """The slash commands `help` lists, (usage, what it does), in the console user's language."""
    return tuple((t(locale, f"con_usage_{name}"), t(locale, f"con_what_{name}")) for name in _COMMAND_KEYS)


DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = default_commands("en")


class ConsoleSession:
    """One user's terminal session against a Bolt app, with `slack` recording what the app sends.

    Feed it lines with `handle_line` (tests) or let `run` read them from a stream; the output goes to `out`.
    """

    def __init__(
        self,
        app: App,
        slack: SlackDouble,
        *,
        team_id: str = "T0LOCAL",
        user_id: str = "U0LOCAL",
        user_name: str = "you",
        channel_id: str = "C0LOCAL",
        channel_name: str = "console",
        team_domain: str = "local",
        bot_user_id: str = "UBOT",
        out: TextIO | None = None,
        commands: Sequence[tuple[str, str]] | None = None,
        local_commands: Mapping[str, tuple[str, Callable[[], str]]] | None = None,
        locale: str = "en",
    ) -> None:
        # `locale` is the language of the console's own words ("en" or "ja"); the bot's replies follow
        # the user's Slack locale, which the stand-in gives it (bot/console/run.py keeps both the same).
        self.me = Identity(
            team_id, user_id, user_name, channel_id, channel_name, team_domain, bot_user_id, locale
        )
        self.out: TextIO = out if out is not None else sys.stdout
        self.commands = tuple(commands) if commands is not None else default_commands(locale)
        # Words the console runs itself (not Slack commands), e.g. "digest"; each returns a note to show.
        self.local_commands = dict(local_commands or {})
        self.finished = False
        link = BotLink(app, slack, self.me, self._say)
        self.forms = FormStack()
        self.timeline = Timeline(link, self.forms, self._say)
        self.interact = Interactions(link, self.timeline, self.forms, self._say)
        self._flow: Flow | None = None
        self._prompt = PROMPT

    # ------------------------------------------------------------------------------ public API

    @property
    def prompt(self) -> str:
        """What to show before reading the next line: `pyramid> `, or the question being asked."""
        return self._prompt

    @property
    def buttons(self) -> list[ButtonRef]:
        """The buttons a number presses now (the most recent listing)."""
        return [ref for _, ref in sorted(self.timeline.listing.values(), key=lambda entry: entry[1].number)]

    @property
    def open_view(self) -> Json | None:
        """The modal being filled in, if any (as the bot sent it, with ids filled in)."""
        top = self.forms.top
        return top.view if top else None

    def greet(self) -> None:
        self._say(self.help_text())

    def help_text(self) -> str:
        me = self.me
        names = [usage for usage, _ in self.commands] + ["help", "buttons", "quit"]
        width = min(max(_columns(name) for name in names), 62)
        lines = [
            self._t("con_help_intro", name=me.user_name, user=me.user_id, channel=me.channel_name),
            self._t("con_help_type"),
        ]
        lines.extend(f"  {_padded(usage, width)}  {what}" for usage, what in self.commands)
        lines.extend(f"  {_padded(word, width)}  {what}" for word, (what, _) in self.local_commands.items())
        lines.append(f"  {'help':<{width}}  {self._t('con_help_help')}")
        lines.append(f"  {'buttons':<{width}}  {self._t('con_help_buttons')}")
        lines.append(f"  {'quit':<{width}}  {self._t('con_help_quit')}")
        lines.append(self._t("con_help_message"))
        lines.append(self._t("con_help_press"))
        lines.append(self._t("con_help_form"))
        return "\n".join(lines)

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False once the session is over."""
        line = line.rstrip("\r\n")
        try:
            if self._flow is None:
                self._flow = self._top_level(line)
                self._prompt = next(self._flow)
            else:
                self._prompt = self._flow.send(line)
        except (StopIteration, Cancelled, ViewChanged):
            self._end_flow()
        except Exception as error:  # noqa: BLE001 - a failure must not end the session; it is shown instead
            self._end_flow()
            self._say(self._t("con_failed", error=f"{type(error).__name__}: {error}"))
        return not self.finished

    def abort(self) -> None:
        """Give up the question being asked (input ended or Ctrl-C): an open form is closed as by `cancel`."""
        flow = self._flow
        if flow is None:
            return
        try:
            for _ in range(5):
                flow.throw(Cancelled())
        except (StopIteration, Cancelled, ViewChanged):
            pass
        except Exception as error:  # noqa: BLE001
            self._say(self._t("con_failed", error=f"{type(error).__name__}: {error}"))
        finally:
            flow.close()
            self._end_flow()

    def run(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
        """Read lines until `quit` or the end of input; returns the exit status (0)."""
        source = stdin if stdin is not None else sys.stdin
        if stdout is not None:
            self.out = stdout
        typing = _isatty(source)
        # input() gives line editing and history on a terminal; on pipes plain readline() is used.
        use_input = typing and source is sys.stdin and self.out is sys.stdout
        if use_input:
            with contextlib.suppress(ImportError):
                importlib.import_module("readline")
        self.greet()
        while not self.finished:
            try:
                line = input(self.prompt) if use_input else self._read(source, echo=not typing)
            except EOFError:
                self.out.write("\n")
                self.abort()
                break
            except KeyboardInterrupt:
                self.out.write("\n")
                if self._flow is None:
                    break
                self.abort()
                continue
            try:
                self.handle_line(line)
            except KeyboardInterrupt:
                self._say(self._t("con_interrupted"))
                self.abort()
        self._say(self._t("con_bye"))
        self.out.flush()
        return 0

    def _read(self, source: TextIO, *, echo: bool) -> str:
        self.out.write(self.prompt)
        self.out.flush()
        raw = source.readline()
        if not raw:
            raise EOFError
        line = raw.rstrip("\r\n")
        if echo:
            self.out.write(line + "\n")  # a transcript that reads like the terminal
        return line

    # --------------------------------------------------------------------------- the top level

    def _top_level(self, line: str) -> Flow:
        text = line.strip()
        lowered = text.lower()
        if not text:
            return
        if lowered in ("quit", "exit", "/quit", "/exit"):
            self.finished = True
        elif lowered in ("help", "?", "/help"):
            self._say(self.help_text())
        elif lowered == "buttons":
            self._list_buttons()
        elif lowered in self.local_commands:
            self._local(lowered)
        elif text.startswith("/") and len(text) > 1:
            yield from self.interact.command(text)
        elif number := re.fullmatch(r"\[?(\d{1,4})\]?", text):
            yield from self.interact.press(int(number.group(1)))
        else:
            yield from self.interact.message(text)

    def _local(self, word: str) -> None:
        note = self.local_commands[word][1]()
        self.timeline.show(self.timeline.collect())
        if note:
            self._say(note)

    def _list_buttons(self) -> None:
        if not self.timeline.listing:
            self._say(self._t("con_no_buttons_yet"))
            return
        for ref in self.buttons:
            self._say(f"  [{ref.number}] {ref.text}")

    def _end_flow(self) -> None:
        self._flow = None
        self._prompt = PROMPT
        if self.forms.views:  # only a failure ends a flow with a form still open: forget it
            self.forms.clear()

    def _t(self, key: str, /, **params: object) -> str:
        return t(self.me.locale, key, **params)

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")


def _columns(text: str) -> int:
    """How many terminal columns `text` takes: a full-width character (取引先) takes two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def _padded(text: str, width: int) -> str:
    return text + " " * max(width - _columns(text), 0)


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False
