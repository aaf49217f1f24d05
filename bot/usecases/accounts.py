"""Accounts: the card, finding one by name, editing one, the modal's type-ahead."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.domain import fields
from bot.domain.names import name_key
from bot.domain.parsing import AccountEdit, AccountQuery, MergeRequest, StatusChange, StepSet, parse_account
from bot.runtime import Runtime
from bot.services import accounts, cards
from bot.services.errors import UserFacingError
from bot.usecases import managing
from bot.usecases.facts import AccountCard, AccountFacts, Choices, Edited, Typeahead


def card(runtime: Runtime, team_id: str, account_id: int) -> AccountCard:
    return runtime.query(lambda session: _card(session, runtime, team_id, account_id))


def _card(session: Session, runtime: Runtime, team_id: str, account_id: int) -> AccountCard:
    team = runtime.team_config(team_id)
    today = runtime.clock.today(team.zone)
    return cards.account_card(
        session,
        team_id,
        account_id,
        today=today,
        rules=team.dormant_rules,
        zone=team.zone,
    )


def account(runtime: Runtime, team_id: str, account_id: int) -> AccountFacts:
    return runtime.query(lambda session: AccountFacts.of(accounts.get_account(session, team_id, account_id)))


def account_command(
    runtime: Runtime, team_id: str, text: str, *, user_id: str = "", today: date | None = None
) -> AccountCard | Choices | Edited | managing.Outcome:
    """`/account <name>` (the card, or close names), `/account <name> <field> <value>` (an edit), or a
    manager's correction by `user_id` (step, merge, archive, restore, lost: bot/usecases/managing.py)."""
    request = parse_account(text)
    if isinstance(request, StepSet | MergeRequest | StatusChange):
        day = today or runtime.clock.today(runtime.team_config(team_id).zone)
        return managing.correct(runtime, team_id, user_id, day, request)
    if isinstance(request, AccountEdit):
        return runtime.store(lambda session: _edit(session, runtime, team_id, request))
    return runtime.query(lambda session: _card_or_choices(session, runtime, team_id, request))


def _card_or_choices(
    session: Session, runtime: Runtime, team_id: str, request: AccountQuery
) -> AccountCard | Choices:
    found = accounts.find_by_name(session, team_id, request.account)
    if found is not None:
        return _card(session, runtime, team_id, found.id)
    similar = accounts.similar_accounts(session, team_id, request.account)
    if not similar:
        raise UserFacingError("account_not_found", name=request.account)
    return Choices(request.account, tuple(AccountFacts.of(account) for account in similar))


def _edit(session: Session, runtime: Runtime, team_id: str, edit: AccountEdit) -> Edited:
    account = accounts.lock(session, accounts.require_by_name(session, team_id, edit.account))
    now = runtime.clock.now()
    if edit.field == "owner":
        accounts.change_owner(session, account, edit.value, now=now)
        return Edited("owner", account.name, edit.value)
    if edit.field == "segment":
        cleared = edit.value.strip().lower() in accounts.CLEAR_SEGMENT_WORDS
        # Too long is refused (nothing stored), as the import refuses it: never cut silently.
        segment = None if cleared else fields.segment(edit.value)
        accounts.change_segment(session, account, segment, now=now)
        return Edited("segment", account.name, segment)
    if edit.field == "contact":
        contact = None if edit.value.strip().lower() in accounts.CLEAR_SEGMENT_WORDS else edit.value
        accounts.change_contact(account, contact, now=now)
        return Edited("contact", account.name, contact)
    old_name = account.name
    accounts.rename(session, account, edit.value, now=now)
    return Edited("rename", account.name, account.name, old=old_name)


def typeahead(runtime: Runtime, team_id: str, typed: str) -> Typeahead:
    query = " ".join(typed.split())[: fields.MAX_NAME]
    found = runtime.query(lambda session: accounts.typeahead(session, team_id, query))
    # Offer to create the typed name unless it already exists (the log then goes to that account).
    exists = any(account.name_key == name_key(query) for account in found)
    return Typeahead(
        tuple(AccountFacts.of(account) for account in found), query if query and not exists else None
    )
