"""Modal submissions: the log modals and the account picker.

A log is stored before the ack that closes the modal; when it cannot be stored the modal stays open
and says so, with everything the rep typed still in it."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.parsing import MAX_NAME, MAX_NOTE, ParseError, parse_amount
from bot.handlers.after_log import after_logged, log_reply, store_log
from bot.handlers.payloads import BadPayload, ModalMetadata, parse_account_id, parse_json
from bot.handlers.replying import error_reply, post_private, runtime_in, who
from bot.i18n import t
from bot.runtime import NotStored, OutcomeUnknown
from bot.services import cards
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest
from bot.services.errors import UserFacingError
from bot.views import card as card_view
from bot.views.modals import (
    ACCOUNT_ACTION,
    ACCOUNT_CALLBACK,
    DEAL_CALLBACK,
    MEETING_CALLBACK,
    NEW_ACCOUNT_PREFIX,
)


def register(app: App) -> None:
    app.view(MEETING_CALLBACK)(submit_log)
    app.view(DEAL_CALLBACK)(submit_log)
    app.view(ACCOUNT_CALLBACK)(submit_account)


class FormErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def submit_log(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    try:
        request = read_log_form(view, team_id, user_id, today, profile.locale)
    except FormErrors as problem:
        ack(response_action="errors", errors=problem.errors)
        return
    try:
        metadata = parse_json(ModalMetadata, view.get("private_metadata"))
    except BadPayload:
        metadata = ModalMetadata()
    try:
        outcome, queued = store_log(runtime, request, today=today)
    except UserFacingError as error:
        ack(response_action="errors", errors={"account": error_reply(error, profile.locale, None)["text"]})
        return
    except (NotStored, OutcomeUnknown) as error:
        # The note block is in every log modal; the rep's input stays as typed.
        ack(response_action="errors", errors={"note": error_reply(error, profile.locale, None)["text"]})
        return
    ack()
    reply = log_reply(outcome, profile.locale)
    runtime.after(lambda: post_private(client, user_id, metadata.channel, reply))
    after_logged(runtime, client, team_id, outcome, queued)


def read_log_form(view: dict[str, Any], team_id: str, user_id: str, today: date, locale: str) -> LogRequest:
    """The modal's values as a log request, or FormErrors keyed by block id (Slack shows them inline)."""
    values = view.get("state", {}).get("values", {})
    is_deal = view.get("callback_id") == DEAL_CALLBACK
    errors: dict[str, str] = {}

    account_value = _selected(values, "account", ACCOUNT_ACTION)
    account = AccountRef()
    if account_value and account_value.startswith(NEW_ACCOUNT_PREFIX):
        # The option came from our type-ahead, but the value is the client's word: check it again.
        name = " ".join(account_value[len(NEW_ACCOUNT_PREFIX) :].split())
        if not name:
            errors["account"] = t(locale, "error_empty_account")
        elif len(name) > MAX_NAME:
            errors["account"] = t(locale, "error_name_too_long", limit=MAX_NAME)
        else:
            account = AccountRef(name=name, create_new=True)
    else:
        try:
            account = AccountRef(account_id=parse_account_id(account_value))
        except BadPayload:
            errors["account"] = t(locale, "error_empty_account")

    allowed = DEAL_OUTCOMES if is_deal else TOUCH_KINDS
    kind_value = _selected(values, "kind", "kind")
    kind = next((k for k in allowed if k.value == kind_value), None)
    if kind is None:
        errors["kind"] = t(
            locale, "error_missing_outcome" if is_deal else "error_bad_kind", word=kind_value or ""
        )

    on = _date(values, "date") or today
    if on > today:
        errors["date"] = t(locale, "error_future_date", date=on.isoformat())

    amount: int | None = None
    amount_text = (_text(values, "amount") or "").strip()
    if is_deal and amount_text:
        try:
            amount = parse_amount(amount_text)
        except ParseError as error:
            errors["amount"] = t(locale, f"error_{error.code}", **error.params)

    revisit = _date(values, "revisit") if is_deal else None
    if revisit is not None and kind is not ActivityKind.LOST:
        errors["revisit"] = t(locale, "error_revisit_needs_lost")
    elif revisit is not None and revisit <= today:
        errors["revisit"] = t(locale, "error_past_date", date=revisit.isoformat())

    note = (_text(values, "note") or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        errors["note"] = t(locale, "error_note_too_long", limit=MAX_NOTE, length=len(note))

    if errors or kind is None:
        raise FormErrors(errors)
    return LogRequest(
        team_id=team_id,
        user_id=user_id,
        account=account,
        kind=kind,
        on=on,
        amount=amount,
        note=note,
        revisit_on=revisit,
        # A view is submitted once; a retried delivery of the same submission carries the same view id.
        request_key=f"view:{view['id']}",
    )


def submit_account(ack: Ack, view: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    values = view.get("state", {}).get("values", {})
    value = _selected(values, "account", ACCOUNT_ACTION)
    if value and value.startswith(NEW_ACCOUNT_PREFIX):
        ack(
            response_action="errors",
            errors={"account": t(profile.locale, "error_account_not_found", name=value[4:])},
        )
        return
    try:
        account_id = parse_account_id(value)
    except BadPayload:
        ack(response_action="errors", errors={"account": t(profile.locale, "error_empty_account")})
        return
    ack()
    try:
        metadata = parse_json(ModalMetadata, view.get("private_metadata"))
    except BadPayload:
        metadata = ModalMetadata()

    def show() -> None:
        try:
            card = runtime.query(lambda session: cards.account_card(session, team_id, account_id))
        except (UserFacingError, NotStored) as error:
            post_private(client, user_id, metadata.channel, error_reply(error, profile.locale, None))
            return
        reply = card_view.account_card(card, runtime.clock.today(profile.zone), profile.locale)
        post_private(client, user_id, metadata.channel, reply)

    runtime.after(show)


def _selected(values: dict[str, Any], block: str, action: str) -> str | None:
    option = values.get(block, {}).get(action, {}).get("selected_option")
    return str(option["value"]) if option else None


def _date(values: dict[str, Any], block: str) -> date | None:
    raw = values.get(block, {}).get(block, {}).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _text(values: dict[str, Any], block: str) -> str | None:
    value = values.get(block, {}).get(block, {}).get("value")
    return str(value) if value is not None else None
