"""manifest.yml against the code and README: every command the app answers is declared, the ones
that take a user are escaped, and README's Slack set-up says what the manifest says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = (ROOT / "manifest.yml").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, dict[str, str]]:
    """command -> its fields, read from the manifest's slash_commands list (no YAML library)."""
    commands: dict[str, dict[str, str]] = {}
    for block in re.split(
        r"\n    - (?=command: )", MANIFEST.split("slash_commands:", 1)[1].split("\n\n", 1)[0]
    )[1:]:
        fields = dict(re.findall(r"^\s*(\w+): (.*)$", block, flags=re.MULTILINE))
        commands[fields["command"]] = fields
    return commands


def _scopes() -> list[str]:
    bot = MANIFEST.split("    bot:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^      - ([\w:.]+)$", bot, flags=re.MULTILINE)


def _slack_setup() -> str:
    return README.split("## Slack set-up", 1)[1].split("\n## ", 1)[0]


COMMANDS = _commands()


def test_the_manifest_declares_every_command_the_app_answers() -> None:
    handled = set()
    for path in (ROOT / "bot" / "handlers").glob("*.py"):
        handled |= set(re.findall(r"""app\.command\(\s*["'](/\w+)["']""", path.read_text(encoding="utf-8")))
    assert handled, "no app.command(...) found"
    assert set(COMMANDS) == handled


def test_commands_that_take_a_user_are_escaped_and_the_others_are_not() -> None:
    assert set(COMMANDS) == {"/meeting", "/deal", "/account", "/pyramid", "/followup", "/trouble"}
    for command, fields in COMMANDS.items():
        takes_a_user = "@user" in fields["usage_hint"]
        assert fields["should_escape"] == ("true" if takes_a_user else "false"), command
    assert {c for c, f in COMMANDS.items() if f["should_escape"] == "true"} == {"/account", "/pyramid"}


def test_every_url_in_the_manifest_is_the_events_endpoint() -> None:
    urls = re.findall(r"(?:url|request_url|message_menu_options_url): (\S+)", MANIFEST)
    assert len(urls) == len(COMMANDS) + 3
    assert set(urls) == {"https://YOUR-HOST/slack/events"}


def test_readme_slack_setup_matches_the_manifest() -> None:
    setup = _slack_setup()
    scopes = _scopes()
    assert "commands" in scopes and "chat:write" in scopes
    for scope in scopes:
        assert f"`{scope}`" in setup, scope
    assert "https://YOUR-HOST/slack/events" in setup
    assert "`app_home_opened`" in setup
    rows = [line for line in setup.splitlines() if line.startswith("| `/")]
    for command, fields in COMMANDS.items():
        [row] = [row for row in rows if f"`{command}`" in row]
        assert f"| `{fields['should_escape']}` |" in row, (command, row)
    assert "/readyz" in setup and "/healthz" in setup


def test_the_install_asks_for_the_manifest_scopes_and_the_manifest_declares_the_install_events() -> None:
    from bot.installs import BOT_SCOPES
    from bot.server import OAUTH_REDIRECT_PATH

    assert list(BOT_SCOPES) == _scopes()
    events = MANIFEST.split("bot_events:", 1)[1].split("\n  org_deploy_enabled", 1)[0]
    assert {"app_uninstalled", "tokens_revoked"} <= set(re.findall(r"- ([\w.]+)", events))
    redirects = MANIFEST.split("redirect_urls:\n", 1)[1].split("\n  scopes:", 1)[0]
    assert re.findall(r"- (\S+)", redirects) == [f"https://YOUR-HOST{OAUTH_REDIRECT_PATH}"]


def test_the_message_shortcut_and_events_for_plain_words_are_declared() -> None:
    from bot.interactions import LOG_SHORTCUT

    assert f"callback_id: {LOG_SHORTCUT}" in MANIFEST
    assert "type: message" in MANIFEST
    events = MANIFEST.split("bot_events:", 1)[1].split("\n  org_deploy_enabled", 1)[0]
    assert {"app_home_opened", "message.im", "app_mention"} <= set(re.findall(r"- ([\w.]+)", events))
    assert {"im:history", "app_mentions:read"} <= set(_scopes())
