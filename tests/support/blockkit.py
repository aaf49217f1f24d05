"""A strict Block Kit checker: Slack's published limits applied to a message, a modal or a Home view.

Our fake of Slack (tests/support/fake_slack.py) accepts anything; Slack does not. `check_message(payload)` and
`check_view(view)` raise `BlockKitViolation` (an AssertionError) naming the rule broken and where, e.g.
``section.text.max_length: 3012 > 3000 at chat.postMessage#2 blocks[4].text.text``.

The limits, as Slack publishes them (docs.slack.dev / api.slack.com reference pages):

* blocks: "up to 50 blocks in each message, and 100 blocks in modals or Home tabs" (block-kit/blocks)
* `block_id`: at most 255 characters, unique in a message or view (every block reference)
* section: `text` 1..3,000 characters; `fields` at most 10 items of at most 2,000 (section block)
* header: a `plain_text` of at most 150 characters (header block)
* context: 1..10 elements (context block); actions: 1..25 elements (actions block)
* text object: `plain_text` or `mrkdwn`, at least 1 character (text object); `emoji` only on plain_text,
  `verbatim` only on mrkdwn
* button: `text` plain_text of at most 75, `value` at most 2,000, `url` at most 3,000, `action_id` at most
  255, `style` primary or danger (button element); `action_id` unique within its block
* option: `text` at most 75, `value` at most 150, `description` at most 75 (option object); a static select
  holds at most 100 options or 100 option groups; checkboxes and radio buttons at most 10; overflow 2..5
* timepicker `initial_time` HH:mm (00-23, 00-59); a conversations select's `filter.include` non-empty, of
  im, mpim, private, public; multi_users_select `initial_users` a list of ids, `max_selected_items` >= 1;
  checkboxes' `initial_options` among its options (block-elements reference, composition objects)
* placeholder: at most 150 (select menus, date pickers, inputs); input `label` and `hint` at most 2,000
* confirm dialog: title 100, text 300, confirm and deny 30
* modal: `title` plain_text of at most 24, `submit` and `close` at most 24 (and `submit` is required with
  input blocks), `private_metadata` at most 3,000, `callback_id` at most 255 (reference/views/modal-views)
* message `text`: Slack truncates beyond 40,000 characters (chat.postMessage)
* `msg_blocks_too_long`: Slack refuses a message whose blocks hold more than about 12,000 characters of text
  (slackapi/bolt-js#2509: "12,000 text characters with a buffer for block containers"; in #2867 a message
  whose text fields summed to 11,341 characters was still refused). Not documented exactly, so the checker
  counts every string the blocks carry (texts, ids, values, urls; not the `type` names) against 12,000.

On top of those, every block must parse with slack_sdk's own models (`Block.parse_all`) into a known block
type, pass their validators, and come back unchanged from `.to_dict()` (so no key was unknown and dropped);
no text may be empty; a button `value` may be absent but never empty; and `mrkdwn` may not end inside
markup (an unclosed ``` fence, a `<…` link or mention cut before its `>`, an `&amp;` entity cut short).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any, NoReturn

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
MESSAGE_BLOCKS_TEXT = 12_000
BLOCK_ID = 255
ACTION_ID = 255
TEXT_OBJECT = 3000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
SECTION_FIELD = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000
OPTION_TEXT = 75
OPTION_VALUE = 150
OPTION_DESCRIPTION = 75
SELECT_OPTIONS = 100
CHOICE_OPTIONS = 10  # checkboxes, radio buttons
OVERFLOW_OPTIONS = (2, 5)
PLACEHOLDER = 150
LABEL = 2000
CONFIRM = {"title": 100, "text": 300, "confirm": 30, "deny": 30}
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
CALLBACK_ID = 255
INPUT_MAX_LENGTH = 3000

# The Web API methods and response-URL posts whose bodies are messages or views.
MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "response_url"}
)
VIEW_METHODS = frozenset({"views.open", "views.push", "views.update", "views.publish"})

_SELECTS = frozenset({"static_select", "multi_static_select"})
_CHOICES = frozenset({"checkboxes", "radio_buttons"})
# What a conversations select's filter may include (Slack's docs: conversation filter object).
_CONVERSATION_KINDS = frozenset({"im", "mpim", "private", "public"})
_ANGLE_TOKEN = re.compile(r"<[^<>]*>")
_CUT_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?(?:…|$)")


class BlockKitViolation(AssertionError):
    """A message or view Slack would refuse (or mangle): `rule` is the limit broken, `path` where."""

    def __init__(self, rule: str, path: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail} at {path}")
        self.rule = rule
        self.path = path
        self.detail = detail


def _fail(rule: str, path: str, detail: str) -> NoReturn:
    raise BlockKitViolation(rule, path, detail)


def _items(items: Sized, limit: int, rule: str, path: str, what: str) -> None:
    """One to `limit` items."""
    _require(0 < len(items) <= limit, rule, path, f"{len(items)} {what}")


def _unique(seen: dict[str, int], value: Any, index: int, rule: str, where: str, what: str) -> None:
    """An id (when there is one) not among those `seen` so far; remembered as the one at `index`."""
    if value is None:
        return
    _require(value not in seen, rule, where, f"{value!r} already used by {what} {seen.get(value)}")
    seen[value] = index


def _require(condition: bool, rule: str, path: str, detail: str) -> None:
    if not condition:
        _fail(rule, path, detail)


def _max_length(value: object, limit: int, rule: str, path: str, *, empty_ok: bool = False) -> None:
    _require(isinstance(value, str), rule, path, f"not a string: {value!r:.80}")
    assert isinstance(value, str)
    if not empty_ok:
        _require(len(value) > 0, rule, path, "empty")
    _require(len(value) <= limit, rule, path, f"{len(value)} > {limit} ({value[:60]!r}…)")


# ------------------------------------------------------------------------------------- public API


def check_message(payload: Mapping[str, Any], where: str = "message") -> None:
    """A chat.postMessage / postEphemeral / update body, or a response-URL post, as sent to Slack."""
    _require(isinstance(payload, Mapping), "message.shape", where, "not an object")
    if payload.get("delete_original"):
        return  # "delete the message this came from": nothing to show, nothing to check
    if "response_type" in payload:
        _require(
            payload["response_type"] in ("ephemeral", "in_channel"),
            "message.response_type",
            f"{where} response_type",
            repr(payload["response_type"]),
        )
    text = payload.get("text")
    blocks = payload.get("blocks")
    attachments = payload.get("attachments")
    if text is not None:
        _require(isinstance(text, str), "message.text", f"{where} text", "not a string")
        length = len(text)
        _require(length <= MESSAGE_TEXT, "message.text.max_length", f"{where} text", f"{length} > 40000")
    has_text = isinstance(text, str) and bool(text.strip())
    # Slack answers no_text to a message with nothing to show; with blocks, the text is the notification
    # and screen-reader fallback, so the bot always sends one.
    _require(has_text, "message.fallback_text", f"{where} text", f"missing or empty: {text!r:.40}")
    if blocks is not None:
        _check_blocks(blocks, MESSAGE_BLOCKS, f"{where} blocks", message=True)
    if attachments is not None:
        _require(isinstance(attachments, list), "message.attachments", f"{where} attachments", "not a list")
        for index, attachment in enumerate(attachments):
            if isinstance(attachment, Mapping) and attachment.get("blocks") is not None:
                path = f"{where} attachments[{index}].blocks"
                _check_blocks(attachment["blocks"], MESSAGE_BLOCKS, path, message=True)


def check_view(view: Mapping[str, Any], where: str = "view") -> None:
    """A modal or a Home tab view, as passed to views.open / push / update / publish."""
    _require(isinstance(view, Mapping), "view.shape", where, "not an object")
    kind = view.get("type")
    _require(kind in ("modal", "home"), "view.type", f"{where} type", repr(kind))
    if kind == "modal":
        _plain_text(view.get("title"), MODAL_TITLE, "modal.title.max_length", f"{where} title")
        for key in ("submit", "close"):
            if key in view:
                _plain_text(view[key], MODAL_BUTTON, f"modal.{key}.max_length", f"{where} {key}")
        has_input = any(isinstance(b, Mapping) and b.get("type") == "input" for b in view.get("blocks") or [])
        _require(not has_input or "submit" in view, "modal.submit.required", f"{where} submit", "missing")
    if "private_metadata" in view:
        _max_length(
            view["private_metadata"],
            PRIVATE_METADATA,
            "view.private_metadata.max_length",
            f"{where} private_metadata",
            empty_ok=True,
        )
    if "callback_id" in view:
        _max_length(view["callback_id"], CALLBACK_ID, "view.callback_id.max_length", f"{where} callback_id")
    _check_blocks(view.get("blocks"), VIEW_BLOCKS, f"{where} blocks", message=False)
    try:
        parsed = View(**view).to_dict()
    except (SlackObjectFormationError, TypeError) as error:
        _fail("view.slack_sdk", where, str(error))
    _require(parsed == dict(view), "view.slack_sdk.round_trip", where, _diff(dict(view), parsed))


def check_call(method: str, body: Mapping[str, Any], where: str | None = None) -> bool:
    """One recorded Web API call or response-URL post; True when it carried a message or a view."""
    where = where or method
    if method in VIEW_METHODS:
        view = body.get("view")
        if isinstance(view, str):  # a form-encoded client sends the view as a JSON string
            view = json.loads(view)
        _require(isinstance(view, Mapping), "view.missing", where, "no view in the call")
        check_view(view, where)
        return True
    if method in MESSAGE_METHODS:
        payload = body.get("payload") if isinstance(body.get("payload"), Mapping) else body
        check_message(payload, where)
        return True
    return False


def check_ack_body(body: str, where: str = "ack") -> bool:
    """An HTTP ack body: when it carries a reply (a JSON object with text or blocks), that reply is a
    message Slack shows, and is checked as one. True when it carried one."""
    if not body.strip():
        return False
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    if not isinstance(payload, Mapping) or not ("text" in payload or "blocks" in payload):
        return False
    check_message(payload, where)
    return True


def check_calls(calls: Iterable[Any]) -> int:
    """Every message and view among recorded calls (objects with `.method` and `.body`); how many."""
    checked = 0
    for index, call in enumerate(calls):
        if check_call(call.method, call.body, f"{call.method}#{index}"):
            checked += 1
    return checked


def blocks_text_length(blocks: Sequence[Any]) -> int:
    """What the checker counts against the ~12,000 of msg_blocks_too_long: every string the blocks carry
    (texts, ids, values, urls), `type` names excepted."""
    return _strings_length(list(blocks))


# ------------------------------------------------------------------------------------------ blocks


def _check_blocks(blocks: object, limit: int, path: str, *, message: bool) -> None:
    _require(isinstance(blocks, list), "blocks.shape", path, f"not a list: {type(blocks).__name__}")
    assert isinstance(blocks, list)
    _require(len(blocks) <= limit, "blocks.max_items", path, f"{len(blocks)} blocks > {limit}")
    try:
        json.dumps(blocks)
    except (TypeError, ValueError) as error:
        _fail("blocks.json", path, str(error))
    seen_ids: dict[str, int] = {}
    for index, block in enumerate(blocks):
        where = f"{path}[{index}]"
        _require(isinstance(block, Mapping), "block.shape", where, "not an object")
        _check_block(block, where)  # Slack's limits first: they name the exact place
        _check_with_sdk(block, where)
        _unique(seen_ids, block.get("block_id"), index, "block_id.unique", f"{where}.block_id", "block")
    if message:
        total = _strings_length(blocks)
        _require(
            total <= MESSAGE_BLOCKS_TEXT,
            "message.blocks_text.max_length (msg_blocks_too_long)",
            path,
            f"{total} characters > {MESSAGE_BLOCKS_TEXT}",
        )


def _check_with_sdk(block: Mapping[str, Any], where: str) -> None:
    try:
        parsed = Block.parse_all([dict(block)])[0]
    except (SlackObjectFormationError, TypeError, KeyError) as error:
        _fail("block.slack_sdk", where, str(error))
    _require(parsed is not None, "block.unknown", where, f"unknown block type {block.get('type')!r}")
    assert parsed is not None
    _require(
        type(parsed).__name__ not in ("Block", "UnknownBlock"),
        "block.unknown",
        where,
        f"parsed as {type(parsed).__name__}",
    )
    try:
        again = parsed.to_dict()  # runs slack_sdk's validators
    except SlackObjectFormationError as error:
        _fail("block.slack_sdk", where, str(error))
    _require(again == dict(block), "block.slack_sdk.round_trip", where, _diff(dict(block), again))


def _check_block(block: Mapping[str, Any], path: str) -> None:
    kind = block.get("type")
    if "block_id" in block:
        _max_length(block["block_id"], BLOCK_ID, "block_id.max_length", f"{path}.block_id")
    if kind == "section":
        _require("text" in block or "fields" in block, "section.content", path, "neither text nor fields")
        if "text" in block:
            _text(block["text"], SECTION_TEXT, "section.text.max_length", f"{path}.text")
        if "fields" in block:
            fields = block["fields"]
            _items(fields, SECTION_FIELDS, "section.fields.max_items", f"{path}.fields", "fields")
            for index, item in enumerate(fields):
                _text(item, SECTION_FIELD, "section.field.max_length", f"{path}.fields[{index}]")
        if "accessory" in block:
            _element(block["accessory"], f"{path}.accessory")
    elif kind == "header":
        _plain_text(block.get("text"), HEADER_TEXT, "header.text.max_length", f"{path}.text")
    elif kind == "context":
        elements = block.get("elements") or []
        _items(elements, CONTEXT_ELEMENTS, "context.elements.max_items", f"{path}.elements", "elements")
        for index, element in enumerate(elements):
            where = f"{path}.elements[{index}]"
            if element.get("type") == "image":
                _max_length(element.get("alt_text"), 2000, "image.alt_text", f"{where}.alt_text")
            else:
                _text(element, TEXT_OBJECT, "context.text.max_length", where)
    elif kind == "actions":
        elements = block.get("elements") or []
        _items(elements, ACTIONS_ELEMENTS, "actions.elements.max_items", f"{path}.elements", "elements")
        action_ids: dict[str, int] = {}
        for index, element in enumerate(elements):
            where = f"{path}.elements[{index}]"
            _element(element, where)
            rule = "action_id.unique_in_block"
            _unique(action_ids, element.get("action_id"), index, rule, f"{where}.action_id", "element")
    elif kind == "input":
        _plain_text(block.get("label"), LABEL, "input.label.max_length", f"{path}.label")
        if "hint" in block:
            _plain_text(block["hint"], LABEL, "input.hint.max_length", f"{path}.hint")
        _element(block.get("element"), f"{path}.element")
    elif kind == "image":
        _max_length(block.get("alt_text"), 2000, "image.alt_text", f"{path}.alt_text")
        if "image_url" in block:
            _max_length(block["image_url"], URL, "image.image_url", f"{path}.image_url")
        if "title" in block:
            _plain_text(block["title"], 2000, "image.title", f"{path}.title")


# ---------------------------------------------------------------------------------------- elements


def _element(element: object, path: str) -> None:
    _require(isinstance(element, Mapping), "element.shape", path, "not an object")
    assert isinstance(element, Mapping)
    kind = element.get("type")
    if "action_id" in element:
        _max_length(element["action_id"], ACTION_ID, "action_id.max_length", f"{path}.action_id")
    if "placeholder" in element:
        _plain_text(element["placeholder"], PLACEHOLDER, "placeholder.max_length", f"{path}.placeholder")
    if "confirm" in element:
        confirm = element["confirm"]
        for key, limit in CONFIRM.items():
            if key in confirm:
                _plain_text(confirm[key], limit, f"confirm.{key}.max_length", f"{path}.confirm.{key}")
    if kind == "button":
        _plain_text(element.get("text"), BUTTON_TEXT, "button.text.max_length", f"{path}.text")
        if "value" in element:
            # An empty value is what Slack sends back as no value at all: say nothing rather than "".
            _max_length(element["value"], BUTTON_VALUE, "button.value", f"{path}.value")
        if "url" in element:
            _max_length(element["url"], URL, "button.url.max_length", f"{path}.url")
        if "style" in element:
            _require(element["style"] in ("primary", "danger"), "button.style", f"{path}.style", "")
    elif kind == "overflow":
        options = element.get("options") or []
        low, high = OVERFLOW_OPTIONS
        _require(low <= len(options) <= high, "overflow.options", f"{path}.options", f"{len(options)}")
        _options(options, f"{path}.options")
    elif kind in _SELECTS or kind in _CHOICES:
        options = element.get("options")
        groups = element.get("option_groups")
        limit = SELECT_OPTIONS if kind in _SELECTS else CHOICE_OPTIONS
        if options is not None:
            _require(
                0 < len(options) <= limit,
                f"{kind}.options.max_items",
                f"{path}.options",
                f"{len(options)} options > {limit}",
            )
            _options(options, f"{path}.options")
        if groups is not None:
            _require(0 < len(groups) <= limit, f"{kind}.option_groups", f"{path}.option_groups", "")
            for index, group in enumerate(groups):
                where = f"{path}.option_groups[{index}]"
                _plain_text(group.get("label"), OPTION_TEXT, "option_group.label", f"{where}.label")
                _options(group.get("options") or [], f"{where}.options")
        _require(
            options is not None or groups is not None,
            f"{kind}.options.required",
            path,
            "neither options nor option_groups",
        )
    if "initial_option" in element:
        _options([element["initial_option"]], f"{path}.initial_option")
        offered = element.get("options")
        if offered is not None:
            _require(
                element["initial_option"] in offered,
                "initial_option.offered",
                f"{path}.initial_option",
                "not one of the options",
            )
    if "initial_options" in element:
        _options(element["initial_options"], f"{path}.initial_options")
    if kind in ("plain_text_input",):
        max_length = element.get("max_length")
        if max_length is not None:
            _require(
                0 < max_length <= INPUT_MAX_LENGTH,
                "plain_text_input.max_length",
                f"{path}.max_length",
                str(max_length),
            )
        if "initial_value" in element:
            _max_length(
                element["initial_value"],
                max_length or INPUT_MAX_LENGTH,
                "plain_text_input.initial_value",
                f"{path}.initial_value",
                empty_ok=True,
            )
    if kind == "timepicker" and "initial_time" in element:
        _require(
            re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", str(element["initial_time"])) is not None,
            "timepicker.initial_time",
            f"{path}.initial_time",
            repr(element["initial_time"]),
        )
    if kind in _CHOICES and "initial_options" in element:
        offered = element.get("options") or []
        _require(
            all(option in offered for option in element["initial_options"]),
            "initial_options.offered",
            f"{path}.initial_options",
            "not all among the options",
        )
    if kind in ("conversations_select", "multi_conversations_select") and "filter" in element:
        include = element["filter"].get("include", [])
        _require(
            bool(include) and set(include) <= _CONVERSATION_KINDS,
            "conversations_select.filter.include",
            f"{path}.filter.include",
            repr(include),
        )
    if kind == "conversations_select" and "initial_conversation" in element:
        _require(
            isinstance(element["initial_conversation"], str) and bool(element["initial_conversation"]),
            "conversations_select.initial_conversation",
            f"{path}.initial_conversation",
            repr(element["initial_conversation"]),
        )
    if kind == "multi_users_select":
        users = element.get("initial_users", [])
        _require(
            isinstance(users, list) and all(isinstance(u, str) and u for u in users),
            "multi_users_select.initial_users",
            f"{path}.initial_users",
            repr(users),
        )
        if "max_selected_items" in element:
            _require(
                int(element["max_selected_items"]) >= 1,
                "multi_users_select.max_selected_items",
                f"{path}.max_selected_items",
                repr(element["max_selected_items"]),
            )
    if kind == "datepicker" and "initial_date" in element:
        _require(
            re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(element["initial_date"])) is not None,
            "datepicker.initial_date",
            f"{path}.initial_date",
            repr(element["initial_date"]),
        )


def _options(options: Sequence[Any], path: str) -> None:
    values: set[str] = set()
    for index, option in enumerate(options):
        where = f"{path}[{index}]"
        _require(isinstance(option, Mapping), "option.shape", where, "not an object")
        _text(option.get("text"), OPTION_TEXT, "option.text.max_length", f"{where}.text")
        _max_length(option.get("value"), OPTION_VALUE, "option.value", f"{where}.value")
        if "description" in option:
            _text(option["description"], OPTION_DESCRIPTION, "option.description", f"{where}.description")
        _require(option["value"] not in values, "option.value.unique", f"{where}.value", option["value"])
        values.add(option["value"])


# ------------------------------------------------------------------------------------ text objects


def _text(obj: object, limit: int, rule: str, path: str) -> None:
    _require(isinstance(obj, Mapping), "text.shape", path, f"not a text object: {obj!r:.80}")
    assert isinstance(obj, Mapping)
    kind = obj.get("type")
    _require(kind in ("plain_text", "mrkdwn"), "text.type", f"{path}.type", repr(kind))
    text = obj.get("text")
    _require(isinstance(text, str), "text.shape", f"{path}.text", "not a string")
    assert isinstance(text, str)
    _require(bool(text.strip()), "text.empty", f"{path}.text", repr(text))
    _require(len(text) <= limit, rule, f"{path}.text", f"{len(text)} > {limit} ({text[:60]!r}…)")
    if kind == "plain_text":
        _require("verbatim" not in obj, "text.verbatim", path, "verbatim is for mrkdwn only")
    else:
        _require("emoji" not in obj, "text.emoji", path, "emoji is for plain_text only")
        _markup(text, f"{path}.text")


def _plain_text(obj: object, limit: int, rule: str, path: str) -> None:
    _require(
        isinstance(obj, Mapping) and obj.get("type") == "plain_text",
        "text.plain_text_only",
        path,
        f"must be plain_text: {obj!r:.80}",
    )
    _text(obj, limit, rule, path)


def _markup(text: str, path: str) -> None:
    """mrkdwn that was cut in the middle of its markup."""
    _require(text.count("```") % 2 == 0, "mrkdwn.open_code_block", path, f"unclosed ``` in {text[-60:]!r}")
    leftover = _ANGLE_TOKEN.sub("", text)
    _require("<" not in leftover, "mrkdwn.open_link", path, f"a '<' with no '>' in {text[-60:]!r}")
    cut = _CUT_ENTITY.search(text)
    _require(cut is None, "mrkdwn.cut_entity", path, f"an entity cut short in {text[-60:]!r}")


# --------------------------------------------------------------------------------------- utilities


def _strings_length(node: object, key: str | None = None) -> int:
    if isinstance(node, str):
        return 0 if key == "type" else len(node)
    if isinstance(node, Mapping):
        return sum(_strings_length(value, name) for name, value in node.items())
    if isinstance(node, list):
        return sum(_strings_length(item) for item in node)
    return 0


def _diff(original: object, again: object, path: str = "") -> str:
    """Where slack_sdk's round trip changed the JSON: the first differing path and both values."""
    if isinstance(original, Mapping) and isinstance(again, Mapping):
        for key in sorted(set(original) | set(again)):
            if original.get(key, _MISSING) != again.get(key, _MISSING):
                return _diff(original.get(key, _MISSING), again.get(key, _MISSING), f"{path}.{key}")
    if isinstance(original, list) and isinstance(again, list) and len(original) == len(again):
        for index, (left, right) in enumerate(zip(original, again, strict=True)):
            if left != right:
                return _diff(left, right, f"{path}[{index}]")
    return f"slack_sdk turned {path or '.'} = {original!r:.80} into {again!r:.80}"


_MISSING = "<missing>"


__all__ = [
    "MESSAGE_BLOCKS",
    "MESSAGE_BLOCKS_TEXT",
    "VIEW_BLOCKS",
    "BlockKitViolation",
    "blocks_text_length",
    "check_ack_body",
    "check_call",
    "check_calls",
    "check_message",
    "check_view",
]
