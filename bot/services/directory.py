"""The workspace's people, for turning what a spreadsheet says about a rep (an e-mail address, a display
name, a full name) into their Slack user id (`pyramid-bot import`)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from slack_sdk import WebClient

PAGE = 200


class SlackDirectory:
    """Reads the members once (users.list, page by page); e-mails need the `users:read.email` scope.
    A name two people share names no one: the import reports it instead of guessing."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def __call__(self, wanted: list[str]) -> dict[str, str]:
        ids: dict[str, set[str]] = defaultdict(set)
        for member in self._members():
            profile = member.get("profile") or {}
            for said in (
                profile.get("email"),
                profile.get("display_name"),
                profile.get("real_name"),
                member.get("real_name"),
                member.get("name"),
            ):
                if said:
                    ids[_folded(str(said))].add(str(member["id"]))
        found: dict[str, str] = {}
        for text in wanted:
            matches = ids.get(_folded(text), set())
            if len(matches) == 1:
                found[text] = next(iter(matches))
        return found

    def _members(self) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            response = (
                self.client.users_list(limit=PAGE, cursor=cursor)
                if cursor
                else self.client.users_list(limit=PAGE)
            )
            members.extend(
                member
                for member in response.get("members") or []
                if not member.get("deleted") and not member.get("is_bot") and member.get("id") != "USLACKBOT"
            )
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return members


def _folded(text: str) -> str:
    """Compared as people write names: full-width or not, any case, spaces or none (山田 太郎 = 山田太郎)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
