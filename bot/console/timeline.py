"""What the bot sent, as the console's user sees it: messages posted, updated and deleted, forms opened.

`Timeline.collect()` reads the calls the Slack stand-in recorded since the last look, applies them to
the messages and forms the user sees, and `show()` prints what changed, numbering the buttons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from bot.console.elements import ButtonRef
from bot.console.flow import Json, Say
from bot.console.forms import FormStack
from bot.console.payloads import BotLink, RecordedCall
from bot.console.render import render_message
from bot.console.webapi import APP_ID, BOT_ID
from bot.i18n import t


@dataclass
class Message:
    mid: int
    channel: str
    ts: str
    content: Json  # text / blocks / attachments
    ephemeral: bool
    recipient: str | None = None
    thread_ts: str | None = None
    deleted: bool = False

    def as_payload(self, bot_user_id: str, team_id: str) -> Json:
        """The message as Slack puts it in a block_actions payload."""
        content: Json = {
            "type": "message",
            "user": bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": team_id,
            "ts": self.ts,
            "text": self.content.get("text", ""),
            "blocks": deepcopy(self.content.get("blocks") or []),
        }
        if self.content.get("attachments"):
            content["attachments"] = deepcopy(self.content["attachments"])
        if self.thread_ts:
            content["thread_ts"] = self.thread_ts
        return content


@dataclass
class ResponseTarget:
    """Where posts to one response URL land: `message` is the message the interaction came from."""

    channel: str
    message: int | None = None
    last_posted: int | None = None


@dataclass
class Batch:
    """What one dispatch produced: messages touched (id -> existed before), in order, and notes."""

    touched: dict[int, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def touch(self, mid: int, *, updated: bool) -> None:
        self.touched.setdefault(mid, updated)


class Timeline:
    def __init__(self, link: BotLink, forms: FormStack, say: Say) -> None:
        self.link = link
        self.forms = forms
        self._say = say
        self.messages: dict[int, Message] = {}
        self.targets: dict[str, ResponseTarget] = {}
        # The buttons a number presses now: number -> (message id, button).
        self.listing: dict[int, tuple[int, ButtonRef]] = {}
        self._by_ts: dict[tuple[str, str], int] = {}
        self._seen = len(link.slack.calls)

    # ------------------------------------------------------------------ reading the calls

    def collect(self, batch: Batch | None = None) -> Batch:
        batch = batch if batch is not None else Batch()
        calls = self.link.slack.calls
        if len(calls) < self._seen:  # someone cleared the recording
            self._seen = 0
        fresh = list(calls[self._seen :])
        self._seen = len(calls)
        for call in fresh:
            try:
                self._apply(call, batch)
            except Exception as error:  # noqa: BLE001 - one odd call must not hide the others
                error_text = f"{type(error).__name__}: {error}"
                batch.notes.append(self._t("con_could_not_show", method=call.method, error=error_text))
        return batch

    def _apply(self, call: RecordedCall, batch: Batch) -> None:
        method, body = call.method, dict(call.body)
        channel = str(body.get("channel", ""))
        if method == "chat.postMessage":
            thread_ts = str(body["thread_ts"]) if body.get("thread_ts") else None
            self.add_message(batch, dm_channel(channel), body, ephemeral=False, thread_ts=thread_ts)
        elif method == "chat.postEphemeral":
            recipient = str(body.get("user") or "") or None
            self.add_message(batch, channel, body, ephemeral=True, recipient=recipient)
        elif method == "chat.update":
            self._update_message(batch, dm_channel(channel), str(body.get("ts", "")), body)
        elif method == "chat.delete":
            mid = self._by_ts.get((dm_channel(channel), str(body.get("ts", ""))))
            if mid is not None:
                self._delete_message(batch, mid)
        elif method == "response_url":
            self._from_response_url(call.key or "", body, batch)
        elif method in ("views.open", "views.push", "views.update"):
            self._view_call(method, body, batch)
        else:
            batch.notes.extend(_notes(self.link.me.locale, method, body, self.label))

    def add_message(
        self,
        batch: Batch,
        channel: str,
        body: Mapping[str, Any],
        *,
        ephemeral: bool,
        recipient: str | None = None,
        thread_ts: str | None = None,
        ts: str | None = None,
        updated: bool = False,
    ) -> int:
        mid = self.link.next_id()
        message = Message(
            mid, channel, ts or self.link.next_ts(), _content(body), ephemeral, recipient, thread_ts
        )
        self.messages[mid] = message
        self._by_ts[(channel, message.ts)] = mid
        batch.touch(mid, updated=updated)
        return mid

    def _update_message(self, batch: Batch, channel: str, ts: str, body: Mapping[str, Any]) -> None:
        mid = self._by_ts.get((channel, ts))
        if mid is None:
            # A message the console never saw posted (its ts came from an answer the console cannot read).
            self.add_message(batch, channel, body, ephemeral=False, ts=ts, updated=True)
            return
        message = self.messages[mid]
        message.content.update(_content(body))  # chat.update keeps the fields it is not given
        message.deleted = False
        batch.touch(mid, updated=True)

    def _delete_message(self, batch: Batch, mid: int) -> None:
        self.messages[mid].deleted = True
        batch.touch(mid, updated=True)

    def _from_response_url(self, key: str, body: Mapping[str, Any], batch: Batch) -> None:
        target = self.targets.setdefault(key, ResponseTarget(channel=self.link.me.channel_id))
        original = target.message if target.message is not None else target.last_posted
        if body.get("delete_original"):
            if original is not None:
                self._delete_message(batch, original)
            return
        if body.get("replace_original") and original is not None and not self.messages[original].deleted:
            message = self.messages[original]
            message.content = _content(body)  # a replacement is the whole message
            batch.touch(original, updated=True)
            return
        ephemeral = body.get("response_type") != "in_channel"
        target.last_posted = self.add_message(batch, target.channel, body, ephemeral=ephemeral)

    def _view_call(self, method: str, body: Mapping[str, Any], batch: Batch) -> None:
        view = decoded(body.get("view"))
        if not isinstance(view, Mapping):
            batch.notes.append(self._t("con_without_view", method=method))
            return
        if method != "views.update":
            self.forms.push(view, f"V0C{self.link.next_id():07d}")
            return
        entry = self.forms.find(body.get("view_id"), body.get("external_id"))
        if entry is None:
            batch.notes.append(self._t("con_stale_form"))
            return
        self.forms.replace(entry, view)

    # ------------------------------------------------------------------ output

    def show(self, batch: Batch) -> None:
        listing: list[tuple[int, ButtonRef]] = []
        number = 1
        for mid, updated in batch.touched.items():
            message = self.messages[mid]
            if message.deleted:
                if updated:
                    first = render_message(message.content, locale=self.link.me.locale)[0].split("\n", 1)[0]
                    self._say(self._t("con_deleted", text=short(first)))
                continue
            text, refs = render_message(message.content, first_button=number, locale=self.link.me.locale)
            number += len(refs)
            listing.extend((mid, ref) for ref in refs)
            self._say(f"\n{self._header(message, updated)}\n{text}")
        for note in batch.notes:
            self._say(note)
        if listing:
            self.listing = {ref.number: (mid, ref) for mid, ref in listing}
        else:  # buttons of messages that changed are gone; the rest of the listing still counts
            self.listing = {n: entry for n, entry in self.listing.items() if entry[0] not in batch.touched}

    def _header(self, message: Message, updated: bool) -> str:
        me = self.link.me
        if message.ephemeral:
            where = self._t("con_where_ephemeral")
            if message.recipient and message.recipient != me.user_id:
                where = self._t("con_where_to", where=where, user=message.recipient)
        elif message.channel.startswith("D"):
            where = self._t("con_where_dm")
            other = message.channel[1:]
            if other[:1] in ("U", "W") and other != me.user_id:
                where = self._t("con_where_to", where=where, user=other)
        else:
            where = self._t("con_where_in", channel=self.label(message.channel))
        if message.thread_ts:
            where = self._t("con_where_thread", where=where)
        if updated:
            where = self._t("con_where_updated", where=where)
        return f"— {where} —"

    def _t(self, key: str, /, **params: object) -> str:
        return t(self.link.me.locale, key, **params)

    def label(self, channel: str) -> str:
        if channel.startswith("#"):
            return channel
        me = self.link.me
        return "#" + (me.channel_name if channel == me.channel_id else channel)


def _notes(locale: str, method: str, body: Mapping[str, Any], label: Any) -> list[str]:
    """One line for what the console does not draw: App Home updates and shared files."""
    if method == "views.publish":
        return [t(locale, "con_home_updated")]
    if method != "files.completeUploadExternal":
        return []
    where = body.get("channel_id") or body.get("channels")
    place = t(locale, "con_file_in", channel=label(str(where))) if where else ""
    return [
        t(locale, "con_file_shared", place=place, title=upload.get("title") or upload.get("id"))
        for upload in decoded(body.get("files")) or []
    ]


def short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decoded(value: object) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _content(body: Mapping[str, Any]) -> Json:
    content: Json = {}
    for name in ("text", "blocks", "attachments", "mrkdwn"):
        if name in body:
            content[name] = decoded(body[name]) if name != "text" else body[name]
    return content


def dm_channel(channel: str) -> str:
    # Slack (and its stand-in) post a message sent to a user id into the DM with that user.
    return "D" + channel if channel[:1] in ("U", "W") else channel
