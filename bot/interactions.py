"""Every id Slack sends back to Pyramid, in one place: action ids, block ids, callback ids, and the
button values (pydantic models, validated where they enter: they come back from Slack's clients).

The views build their elements with these names and the listeners are registered on and read them,
so a button and the listener that answers it cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_ID = 2**31 - 1
log = logging.getLogger(__name__)

# ------------------------------------------------------------------------------ modals (callback ids)
MEETING_CALLBACK = "log_meeting"
DEAL_CALLBACK = "log_deal"
ACCOUNT_CALLBACK = "show_account"
HOME_CALLBACK = "pyramid_home"

# The log modal's inputs: each block and its element share the name (the account select excepted).
ACCOUNT_BLOCK = "account"
ACCOUNT_ACTION = "account_select"  # the external select of the log and account modals (type-ahead)
NEW_ACCOUNT_PREFIX = "new:"  # an option's value that names an account to create
KIND_FIELD = "kind"
DATE_FIELD = "date"
AMOUNT_FIELD = "amount"
REVISIT_FIELD = "revisit"
NOTE_FIELD = "note"

# The team settings modal (`/pyramid settings`, the App Home's admin button): each input's block and
# element share the name `settings_<field>`, the field named as bot/domain/team_settings.py names it.
SETTINGS_CALLBACK = "team_settings"
OPEN_SETTINGS = "open_team_settings"  # the App Home's Settings button (admins only)
SETTINGS_PREFIX = "settings_"


def settings_block(field: str) -> str:
    return SETTINGS_PREFIX + field


# ------------------------------------------------------------------------------ buttons (action ids)
OPEN_LOG_MEETING = "open_log_meeting"
OPEN_LOG_DEAL = "open_log_deal"
OPEN_LOG = re.compile(r"^open_log_(meeting|deal)$")
SHARE_PYRAMID = "share_pyramid"
NEAR_MATCH_CREATE = "near_match_create"
NEAR_MATCH = re.compile(r"^near_match_(use_\d+|create)$")
SHOW_ACCOUNT = re.compile(r"^show_account_\d+$")

FOLLOWUP_DONE = "followup_done"
FOLLOWUP_SNOOZE = "followup_snooze"
FOLLOWUP_RESCHEDULE = "followup_reschedule"  # a datepicker
FOLLOWUP_ACTIONS = (FOLLOWUP_DONE, FOLLOWUP_SNOOZE, FOLLOWUP_RESCHEDULE)

RECOVERY_RESPONDED = "recovery_responded"
RECOVERY_RECOVERED = "recovery_recovered"
RECOVERY_LOST = "recovery_lost"
RECOVERY_STEPS = "recovery_steps"  # the checklist's checkboxes
VERDICT_YES = "verdict_yes"
VERDICT_NOT_YET = "verdict_not_yet"

# "Did you mean" for /followup and /trouble: followup_pick_0, trouble_pick_1, … (value: near_match_value).
FOLLOWUP_PICK = re.compile(r"^followup_pick_\d+$")
TROUBLE_PICK = re.compile(r"^trouble_pick_\d+$")
PREVIEW_CONFIRM = "preview_confirm"  # *Log all* on a preview of a message in plain words
PREVIEW_CANCEL = "preview_cancel"
LOG_SHORTCUT = "log_to_pyramid"  # the message shortcut's callback id (manifest.yml)
PREVIEW_EDIT = "preview_edit"  # *Edit* beside one item of a preview: opens PREVIEW_ITEM_CALLBACK
PREVIEW_ITEM_CALLBACK = "preview_item"  # the modal that rewrites one item of a parked preview
PREVIEW_ACCOUNT_FIELD = "account_name"  # its account, typed (the block is ACCOUNT_BLOCK)
PREVIEW_ADD = "preview_add"  # *Add* beside a sentence the preview could not read: the same modal, empty-ish

# ------------------------------------------------------------------------------ block ids
CARD_ACTIONS = "card_actions"
WHICH_ACCOUNT = "which_account"
NEAR_MATCH_BLOCK = "near_match"
PYRAMID_BLOCK = "pyramid"
HOME_QUICK = "home_quick"
PREVIEW_ACTIONS = "preview_actions"


def pick_action(what: Literal["followup", "trouble"], index: int) -> str:
    return f"{what}_pick_{index}"


def pick_block(what: Literal["followup", "trouble"]) -> str:
    return f"{what}_pick"


def near_match_use(index: int) -> str:
    return f"near_match_use_{index}"


def show_account(index: int) -> str:
    return f"show_account_{index}"


def open_log_action(which: Literal["meeting", "deal"]) -> str:
    return OPEN_LOG_DEAL if which == "deal" else OPEN_LOG_MEETING


def log_which(action_id: str) -> Literal["meeting", "deal"]:
    return "deal" if action_id == OPEN_LOG_DEAL else "meeting"


# An item of a digest or App Home (a follow-up "fu_<id>", a recovery "rc_<id>"): its text block, its
# actions block (whose buttons a press replaces with a line saying what happened) and that line.
def followup_item(followup_id: int) -> str:
    return f"fu_{followup_id}"


def recovery_item(recovery_id: int) -> str:
    return f"rc_{recovery_id}"


def item_actions(item: str) -> str:
    return f"{item}_actions"


def item_done(item: str) -> str:
    return f"{item}_done"


def recovery_steps_block(recovery_id: int) -> str:
    return f"rc_{recovery_id}_steps"


# ------------------------------------------------------------------------------ values


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NearMatchChoice(Payload):
    p: str = Field(pattern=r"^[0-9a-f]{32}$")  # the parked request
    a: int | None = Field(default=None, ge=1, le=MAX_ID)  # the chosen account; None = create new


class ShareValue(Payload):
    s: Literal["team", "me", "user"]
    u: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{1,31}$")
    d: bool = False


class ModalMetadata(Payload):
    channel: str | None = Field(default=None, pattern=r"^[CDG][A-Z0-9]{1,31}$")


def modal_metadata(channel_id: str | None) -> str:
    return json.dumps({"channel": channel_id})


def share_value(scope: str, owner: str | None, detail: bool) -> dict[str, object]:
    return {"s": scope, "u": owner, "d": detail}


def near_match_value(pending_id: str, account_id: int | None = None) -> dict[str, object]:
    return {"p": pending_id} if account_id is None else {"p": pending_id, "a": account_id}


PreviewItemKind = Literal["activity", "followup", "trouble"]


class PreviewItem(Payload):
    """One item of a parked preview: an *Edit* button's value (`p`, `k`, `i`). As the edit modal's
    private metadata it also says where the preview is, to rewrite it: a message's channel and ts
    (`c`, `t`) or, for an ephemeral one, the response URL of the press that opened the modal (`r`)."""

    p: str = Field(pattern=r"^[0-9a-f]{32}$")
    k: PreviewItemKind
    i: int = Field(ge=0, le=99)
    c: str | None = Field(default=None, pattern=r"^[CDG][A-Z0-9]{1,31}$")
    t: str | None = Field(default=None, pattern=r"^\d{1,12}\.\d{1,8}$")
    r: str | None = Field(default=None, pattern=r"^https?://\S{1,1000}$")
    u: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$")  # *Add*: the unread sentence's ref


def unread_ref(text: str) -> str:
    """A sentence the preview could not read, as an *Add* button names it (its index may change)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def preview_add_value(preview_id: str, text: str) -> str:
    """*Add*'s value: the kind of item is chosen when it is pressed, from what was understood."""
    return json.dumps(
        {"p": preview_id, "k": "activity", "i": 0, "u": unread_ref(text)}, separators=(",", ":")
    )


def preview_item_value(preview_id: str, kind: PreviewItemKind, index: int) -> str:
    return json.dumps({"p": preview_id, "k": kind, "i": index}, separators=(",", ":"))


def preview_item_of(raw: str | None) -> PreviewItem:
    """An *Edit* button's value or the edit modal's metadata (BadPayload for anything else)."""
    return parse_json(PreviewItem, raw)


class BadPayload(ValueError):
    pass


P = TypeVar("P", bound=Payload)


def parse_json(model: type[P], raw: str | None) -> P:
    try:
        return model.model_validate(json.loads(raw or "{}"))
    except (ValueError, ValidationError) as error:
        raise BadPayload(str(error)) from None


PREVIEW_ID = re.compile(r"^[0-9a-f]{32}$")


def preview_id_of(raw: str | None) -> str:
    """A preview button's value: the preview's id (BadPayload for anything else)."""
    if raw is None or not PREVIEW_ID.fullmatch(raw):
        raise BadPayload("preview id")
    return raw


def parse_id(raw: str | None) -> int:
    """An account's, follow-up's or recovery's id, as a button carries it."""
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise BadPayload(f"not an id: {raw!r}")
    return int(raw)


def metadata_of(raw: str | None) -> ModalMetadata:
    try:
        return parse_json(ModalMetadata, raw)
    except BadPayload:
        return ModalMetadata()


def item_id(block_id: str, prefix: str, suffix: str) -> int:
    """The id inside an item's block id: `item_id("rc_12_steps", "rc_", "_steps")` is 12."""
    return parse_id(block_id.removeprefix(prefix).removesuffix(suffix))


def followup_id_of(action: dict[str, object]) -> int:
    """The follow-up a press is about: the button's value, or for the datepicker its block id."""
    if action.get("type") == "datepicker":
        return item_id(str(action.get("block_id", "")), "fu_", "_actions")
    value = action.get("value")
    return parse_id(str(value) if value is not None else None)


def recovery_id_of_steps(block_id: str) -> int:
    return item_id(block_id, "rc_", "_steps")


def near_match_choice(raw: str | None) -> NearMatchChoice | None:
    """A "did you mean" answer; None (and a warning) when the value is not one of ours."""
    try:
        return parse_json(NearMatchChoice, raw)
    except BadPayload:
        log.warning("refused a malformed near-match value")
        return None


# --- Corrections of activities: undo, edit, delete (issue 11) ---
UNDO_ACTIVITY = "undo_activity"  # *Undo* on a log's reply; its value: the activity's id
UNDO_BLOCK = "undo"
# The card's overflow menu beside each recent activity: activity_menu_0, _1, … (value: ActivityChoice).
ACTIVITY_MENU = re.compile(r"^activity_menu_\d+$")
EDIT_ACTIVITY_CALLBACK = "edit_activity"  # the modal that edits one activity (metadata: CorrectionTarget)
DELETE_ACTIVITY_CALLBACK = "delete_activity"  # the modal that asks "delete this activity?"


def activity_menu(index: int) -> str:
    return f"activity_menu_{index}"


class ActivityChoice(Payload):
    """An option of the card's overflow menu: which activity, and what to do with it."""

    a: int = Field(ge=1, le=MAX_ID)
    do: Literal["edit", "delete"]


class CorrectionTarget(Payload):
    """The edit or delete modal's private metadata: the activity, and the channel to answer in."""

    a: int = Field(ge=1, le=MAX_ID)
    channel: str | None = Field(default=None, pattern=r"^[CDG][A-Z0-9]{1,31}$")


def activity_choice_value(activity_id: int, do: Literal["edit", "delete"]) -> str:
    return json.dumps({"a": activity_id, "do": do}, separators=(",", ":"))


def correction_target(activity_id: int, channel_id: str | None) -> str:
    return json.dumps({"a": activity_id, "channel": channel_id}, separators=(",", ":"))


# --- Manager corrections: step, merge, archive, restore (issue 11) ---
MERGE_CONFIRM = "account_merge_confirm"  # the button (with a confirm dialog) that carries out a merge
MERGE_CANCEL = "account_merge_cancel"
MERGE_ACTIONS = "account_merge_actions"


class MergeValue(Payload):
    """A merge's confirm button: fold account `m` into account `s`, for reason `r`."""

    s: int = Field(ge=1, le=MAX_ID)
    m: int = Field(ge=1, le=MAX_ID)
    r: str | None = Field(default=None, max_length=1000)


def merge_value(survivor_id: int, merged_id: int, reason: str | None) -> str:
    # Unescaped (a Japanese reason of the longest note still fits the value's 2000 characters).
    value = {"s": survivor_id, "m": merged_id, **({"r": reason} if reason else {})}
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def merge_value_of(raw: str | None) -> MergeValue:
    return parse_json(MergeValue, raw)


# --- Status: dormant, lost, win-back (issue 11) ---
# (ids and values of this feature go here)
#
#
#
# --- Health and revenue (issue 11) ---
# (ids and values of this feature go here)
#
#
#
# --- Recoveries in two halves, complaints owned by the team (issue 12) ---
# (ids and values of this feature go here)
# The next delivery's date (a datepicker in the item's actions block, rc_<id>_actions), the verdict's
# "no", and the channel post's buttons (value: the recovery id); *Add note* opens RECOVERY_NOTE_CALLBACK,
# whose private_metadata is the recovery id. The /trouble modal's cause radio buttons.
RECOVERY_DELIVERY_ON = "recovery_delivery_on"
VERDICT_NO = "verdict_no"
RECOVERY_TAKE = "recovery_take"
RECOVERY_ADD_NOTE = "recovery_add_note"
RECOVERY_ESCALATE = "recovery_escalate"
RECOVERY_NOTE_CALLBACK = "recovery_note"
RECOVERY_NOTE_FIELD = "recovery_note_text"
TROUBLE_CALLBACK = "log_trouble"
CAUSE_FIELD = "cause"
# After the sale: the after-sale follow-up's "Done, not satisfied" (value: the follow-up id) completes
# it and opens a recovery in one click; its "Done, satisfied" is FOLLOWUP_DONE.
AFTER_SALE_UNSATISFIED = "after_sale_unsatisfied"
# Retired on purpose (issue 12): RECOVERY_RECOVERED and VERDICT_NOT_YET closed a recovery, or answered
# the verdict, with no next delivery; copies still in Slack are answered by a short explanation.


def recovery_id_of_item(action: dict[str, object]) -> int:
    """The recovery a press is about: the button's value, or for the datepicker its block id."""
    if action.get("type") == "datepicker":
        return item_id(str(action.get("block_id", "")), "rc_", "_actions")
    value = action.get("value")
    return parse_id(str(value) if value is not None else None)


# --- Win-back (issue 12, part 4) ---
DRAFT_WINBACK = "draft_winback"  # the card's and the digest's button; its value: the account's id
WINBACK_SENT = "winback_log_sent"  # *Log as sent* under a draft; its value: WinbackSent
WINBACK_ACTIONS = "winback_actions"
LOST_REASON_FIELD = "lost_reason"  # the deal modal's radio buttons (optional; for a lost deal)


class WinbackSent(Payload):
    """*Log as sent*: the account and the draft it sits under (the press that drafted it), so that a
    double click or a retried delivery logs one letter (the request key), and a second draft another."""

    a: int = Field(ge=1, le=MAX_ID)
    d: str = Field(pattern=r"^[A-Za-z0-9._-]{1,80}$")


def winback_sent_value(account_id: int, draft: str) -> str:
    return json.dumps({"a": account_id, "d": draft}, separators=(",", ":"))


def winback_sent_of(raw: str | None) -> WinbackSent:
    return parse_json(WinbackSent, raw)
