"""Modal submissions: the log modals and the account picker.

A log is stored before the ack that closes the modal; when it cannot be stored the modal stays open
and says so, with everything the rep typed still in it."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.fields import FieldErrors, LogDraft
from bot.domain.winback import LostReason
from bot.handlers import form_state as form
from bot.handlers.replying import Asker, Json, asker, error_reply, post_private
from bot.i18n import t
from bot.interactions import BadPayload, parse_id
from bot.runtime import NotStored, OutcomeUnknown
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest
from bot.services.errors import UserFacingError
from bot.usecases import accounts, logs
from bot.views import card as card_view
from bot.views import replies


def register(app: App) -> None:
    app.view(ids.MEETING_CALLBACK)(submit_log)
    app.view(ids.DEAL_CALLBACK)(submit_log)
    app.view(ids.ACCOUNT_CALLBACK)(submit_account)


class FormErrors(Exception):
    """Messages by block id: Slack shows each under its input, and the modal stays open."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def submit_log(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    me = asker(context, client)
    try:
        request = read_log_form(view, me.team_id, me.user_id, me.today, me.locale)
        outcome = logs.log(me.runtime, request, today=me.today)
    except (FormErrors, UserFacingError, NotStored, OutcomeUnknown) as error:
        ack(response_action="errors", errors=_form_errors(error, me.locale))
        return
    ack()
    reply = replies.log_reply(outcome.result, me.locale)
    channel = ids.metadata_of(view.get("private_metadata")).channel
    me.runtime.after(lambda: post_private(client, me.user_id, channel, reply))
    notify.after_action(me.runtime, client, me.team_id, outcome.home_user, outcome.queued)


def _form_errors(error: Exception, locale: str) -> dict[str, str]:
    if isinstance(error, FormErrors):
        return error.errors
    if isinstance(error, UserFacingError):
        return {ids.ACCOUNT_BLOCK: error_reply(error, locale, None)["text"]}
    # Not stored: the note block is in every log modal; the rep's input stays as typed.
    assert isinstance(error, NotStored | OutcomeUnknown)
    return {ids.NOTE_FIELD: error_reply(error, locale, None)["text"]}


def read_log_form(view: Json, team_id: str, user_id: str, today: date, locale: str) -> LogRequest:
    """The modal's values as a log request, checked as a command's are (bot/domain/fields.py), or
    FormErrors keyed by block id."""
    values = form.values_of(view)
    draft = _draft(values, "deal" if view.get("callback_id") == ids.DEAL_CALLBACK else "meeting")
    try:
        checked = fields.check_log(draft, today)
    except FieldErrors as error:
        raise FormErrors(
            {key: t(locale, f"error_{e.code}", **e.params) for key, e in error.errors.items()}
        ) from None
    # A new name comes from our type-ahead, but the value is the client's word: it was checked again.
    account = (
        AccountRef(name=checked.name, create_new=True)
        if checked.name
        else AccountRef(account_id=checked.account_id)
    )
    # A view is submitted once; a retried delivery of the same submission carries the same view id.
    return logs.log_request(checked, account, team_id, user_id, f"view:{view['id']}")


def _draft(values: Json, what: fields.LogWhat) -> LogDraft:
    picked = form.selected(values, ids.ACCOUNT_BLOCK, ids.ACCOUNT_ACTION) or ""
    kind_word = form.selected(values, ids.KIND_FIELD) or ""
    is_new = picked.startswith(ids.NEW_ACCOUNT_PREFIX)
    return LogDraft(
        what,
        picked.removeprefix(ids.NEW_ACCOUNT_PREFIX) if is_new else None,
        next((kind for kind in ActivityKind if kind.value == kind_word), None),
        kind_word,
        on=form.picked_date(values, ids.DATE_FIELD),
        amount_text=form.text(values, ids.AMOUNT_FIELD) if what == "deal" else None,
        note=form.text(values, ids.NOTE_FIELD),
        revisit_on=form.picked_date(values, ids.REVISIT_FIELD) if what == "deal" else None,
        account_id=None if is_new else _picked_id(picked),
        lost_reason=_lost_reason(values) if what == "deal" else None,
    )


def _lost_reason(values: Json) -> LostReason | None:
    word = form.selected(values, ids.LOST_REASON_FIELD)
    return next((reason for reason in LostReason if reason.value == word), None)


def _picked_id(value: str | None) -> int | None:
    try:
        return parse_id(value)
    except BadPayload:
        return None


def submit_account(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """The account picker: its card is posted where `/account` was typed, after the ack."""
    me = asker(context, client)
    try:
        account_id = _picked_account(form.values_of(view), me.locale)
    except FormErrors as error:
        ack(response_action="errors", errors=error.errors)
        return
    ack()
    channel = ids.metadata_of(view.get("private_metadata")).channel
    me.runtime.after(lambda: _post_card(me, account_id, channel))


def _picked_account(values: Json, locale: str) -> int:
    value = form.selected(values, ids.ACCOUNT_BLOCK, ids.ACCOUNT_ACTION)
    if value and value.startswith(ids.NEW_ACCOUNT_PREFIX):
        name = value.removeprefix(ids.NEW_ACCOUNT_PREFIX)
        raise FormErrors({ids.ACCOUNT_BLOCK: t(locale, "error_account_not_found", name=name)})
    try:
        return parse_id(value)
    except BadPayload:
        raise FormErrors({ids.ACCOUNT_BLOCK: t(locale, "error_empty_account")}) from None


def _post_card(me: Asker, account_id: int, channel: str | None) -> None:
    try:
        reply = card_view.account_card(
            accounts.card(me.runtime, me.team_id, account_id), me.shown_today, me.locale
        )
    except (UserFacingError, NotStored) as error:
        reply = error_reply(error, me.locale, None)
    post_private(me.client, me.user_id, channel, reply)
