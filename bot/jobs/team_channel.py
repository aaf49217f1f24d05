"""At start, the bot makes sure it is in the team channel (PYRAMID_TEAM_CHANNEL): sharing the weekly
chart and reading back its own posts (the delivery ledger's history check) need membership.

A public channel is joined (`channels:join`; joining a channel the bot is already in changes nothing).
Anything else is said once, clearly, with what to do: a private channel needs `/invite @Pyramid`,
an unknown id needs a corrected setting. Posting itself does the same when Slack answers
`not_in_channel` (see outbox.py), so a channel left later is joined again."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.jobs.outbox import HINTS, report_failure
from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Slack's answers to conversations.join that mean "not a public channel the bot can join".
_PRIVATE = frozenset({"method_not_supported_for_channel_type", "not_in_channel", "channel_not_found"})


def join_team_channel(runtime: Runtime, client: WebClient, channel: str | None = None) -> bool:
    """Whether the bot is (now) in the team channel: `channel` (an admin's choice in the settings modal
    is joined when it is saved), else every served team's own (its setting, or PYRAMID_TEAM_CHANNEL, the
    default), each with the team's client; logs one line saying what to do when it is not."""
    if channel:
        return _join(client, channel)
    with runtime.db.read() as session:
        teams = runtime.served_teams(session)
    # One token in single-token mode: each channel once. With OAuth each team joins with its own token.
    wanted: dict[tuple[str, str], WebClient] = {}
    if not runtime.installs.oauth and runtime.settings.pyramid_team_channel:
        wanted[("", runtime.settings.pyramid_team_channel)] = client
    for team_id in teams:
        team_client = runtime.client_for(team_id, like=client)
        team_channel = runtime.team_config(team_id).channel
        if team_client is not None and team_channel:
            wanted[(team_id if runtime.installs.oauth else "", team_channel)] = team_client
    if not wanted:
        return False
    return all([_join(team_client, where) for (_, where), team_client in wanted.items()])


def _join(client: WebClient, channel: str) -> bool:
    try:
        client.conversations_join(channel=channel)
    except SlackApiError as error:
        code = str(error.response.get("error") or "")
        if code in _PRIVATE:
            log.warning(
                "the bot is not in the team channel %s and cannot join it (%s): if it is a private "
                "channel, type /invite @Pyramid there; otherwise check PYRAMID_TEAM_CHANNEL (a channel id "
                "such as C0123456789). Until then the weekly chart and posts there fail.",
                channel,
                code,
            )
        else:
            hint = HINTS.get(code)
            log.warning("cannot join the team channel %s: %s%s", channel, code, f" — {hint}" if hint else "")
        return False
    except Exception as error:  # the network: the first post will join (or report) it instead
        report_failure(log, error, f"joining the team channel {channel}")
        return False
    log.info("in the team channel %s", channel)
    return True
