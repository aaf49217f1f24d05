"""The account card shown by `/account <name>`."""

from __future__ import annotations

from datetime import date

from bot import interactions as ids
from bot.i18n import t
from bot.usecases.facts import AccountCard, AccountFacts, Choices, Edited
from bot.views import recovery as recovery_view
from bot.views.blocks import (
    NAME_LIMIT,
    ONE_NAME_LIMIT,
    Message,
    actions,
    button,
    context,
    divider,
    fields,
    fmt_amount,
    fmt_date,
    header,
    mention,
    message,
    section,
    stage_name,
    step_name,
    user_text,
)
from bot.views.replies import account_edited, next_step_advice

NOTE_PREVIEW = 80


def account_card(card: AccountCard, today: date, locale: str) -> Message:
    account = card.account
    step = account.current_step
    stage = t(
        locale,
        "card_stage",
        stage=f"{step.stage.value} {stage_name(step.stage, locale)}",
        label=step.label,
        step=step_name(step, locale),
    )
    owner = t(locale, "card_owner", owner=mention(account.owner_id))
    counts = t(
        locale,
        "card_counts",
        meetings=account.in_person_meetings,
        proposals=account.proposals,
        won=account.deals_won,
    )
    blocks = [
        header(account.name),
        fields(stage, owner, _last_touch(account, today, locale), _segment(account, locale)),
        context(counts),
        context(next_step_advice(step, locale)),
        divider(),
        section("\n".join(_history(card, today, locale))),
        *recovery_view.card_blocks(card, today, locale),
        actions(
            button(t(locale, "button_log_meeting"), ids.OPEN_LOG_MEETING, str(account.id), style="primary"),
            button(t(locale, "button_log_deal"), ids.OPEN_LOG_DEAL, str(account.id)),
            block_id=ids.CARD_ACTIONS,
        ),
    ]
    return message(
        f"{user_text(account.name, ONE_NAME_LIMIT)}: {step.label} {step_name(step, locale)}", blocks
    )


def _last_touch(account: AccountFacts, today: date, locale: str) -> str:
    if account.last_touch_on is None:
        return t(locale, "card_never_touched")
    if account.last_touch_on >= today:
        return t(locale, "card_last_touch_today")
    days = (today - account.last_touch_on).days
    return t(locale, "card_last_touch", date=fmt_date(account.last_touch_on, locale, today), days=days)


def _segment(account: AccountFacts, locale: str) -> str:
    if not account.segment:
        return t(locale, "card_no_segment")
    return t(locale, "card_segment", segment=user_text(account.segment, NAME_LIMIT))


def _history(card: AccountCard, today: date, locale: str) -> list[str]:
    """The latest activities, newest first, and how many more there are."""
    lines = [t(locale, "card_history")]
    for activity in card.history:
        note = f" — {user_text(activity.note, NOTE_PREVIEW)}" if activity.note else ""
        amount = f" {fmt_amount(activity.amount, locale)}" if activity.amount is not None else ""
        line = t(
            locale,
            "card_history_line",
            date=fmt_date(activity.occurred_on, locale, today),
            kind=t(locale, f"kind_{activity.kind.value}"),
            amount=amount,
            who=mention(activity.user_id),
            note=note,
        )
        lines.append("• " + line)
    if not card.history:
        lines.append(t(locale, "card_no_history"))
    elif card.activity_count > len(card.history):
        lines.append(t(locale, "card_more_history", count=card.activity_count - len(card.history)))
    return lines


def which_account(name: str, candidates: tuple[AccountFacts, ...], locale: str) -> Message:
    """`/account` with a name that is only close to existing ones."""
    text = t(locale, "did_you_mean", name=user_text(name, ONE_NAME_LIMIT))
    choices = [
        button(candidate.name, ids.show_account(index), str(candidate.id))
        for index, candidate in enumerate(candidates)
    ]
    return message(text, [section(text), actions(*choices, block_id=ids.WHICH_ACCOUNT)])


def account_reply(found: AccountCard | Choices | Edited, today: date, locale: str) -> Message:
    """What `/account` answers: the card, the close names, or what an edit changed."""
    if isinstance(found, AccountCard):
        return account_card(found, today, locale)
    if isinstance(found, Choices):
        return which_account(found.name, found.candidates, locale)
    return account_edited(found, locale)
