"""The account card shown by `/account <name>`."""

from __future__ import annotations

from datetime import date

from bot import interactions as ids
from bot.domain.status import AccountStatus
from bot.i18n import t
from bot.usecases.facts import AccountCard, AccountFacts, Choices, Edited
from bot.views import recovery as recovery_view
from bot.views import winback as winback_view
from bot.views.blocks import (
    NAME_LIMIT,
    ONE_NAME_LIMIT,
    Block,
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
from bot.views.corrections import activity_menu
from bot.views.health import card_revenue_text
from bot.views.managing import corrections_block
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
    facts = [stage, owner, _last_touch(account, today, locale), _segment(account, locale)]
    if account.contact:
        facts.append(t(locale, "card_contact", contact=user_text(account.contact, NAME_LIMIT)))
    buttons = [
        button(t(locale, "button_log_meeting"), ids.OPEN_LOG_MEETING, str(account.id), style="primary"),
        button(t(locale, "button_log_deal"), ids.OPEN_LOG_DEAL, str(account.id)),
    ]
    if card.winback:
        buttons.append(winback_view.draft_button(account.id, locale))
    blocks = [
        header(account.name),
        fields(*facts),
        context(counts),
        *_status(card, today, locale),
        *_revenue(card, today, locale),
        context(_advice(card, locale)),
        divider(),
        *_history_blocks(card, today, locale),
        *_corrections(card, today, locale),
        *recovery_view.card_blocks(card, today, locale),
        actions(*buttons, block_id=ids.CARD_ACTIONS),
    ]
    return message(
        f"{user_text(account.name, ONE_NAME_LIMIT)}: {step.label} {step_name(step, locale)}", blocks
    )


def _advice(card: AccountCard, locale: str) -> str:
    """A former customer (or one filed as lost) is won back, not led up the ladder: a first-meeting
    tip would be wrong for someone who bought from us (issue 12)."""
    if not card.winback:
        return next_step_advice(card.account.current_step, locale)
    return t(locale, "advice_winback" if card.account.deals_won else "advice_winback_lost")


def _corrections(card: AccountCard, today: date, locale: str) -> list[Block]:
    block = corrections_block(card.corrections, today, locale)
    return [block] if block is not None else []


def _revenue(card: AccountCard, today: date, locale: str) -> list[Block]:
    """Won this year and last, and the open proposal: shown when there is any (else it is noise)."""
    revenue = card.revenue
    if revenue is None or not (revenue.this_year or revenue.last_year or revenue.open):
        return []
    return [context(card_revenue_text(revenue, today, locale))]


def _last_touch(account: AccountFacts, today: date, locale: str) -> str:
    if account.last_touch_on is None:
        return t(locale, "card_never_touched")
    if account.last_touch_on >= today:
        return t(locale, "card_last_touch_today")
    days = (today - account.last_touch_on).days
    return t(locale, "card_last_touch", date=fmt_date(account.last_touch_on, locale, today), days=days)


def _status(card: AccountCard, today: date, locale: str) -> list[Block]:
    """Nothing for an active account; else what keeps it out of the pyramid, and since when."""
    since = card.status_since
    if card.status is AccountStatus.DORMANT:
        when = fmt_date(since, locale, today) if since else "–"
        return [context(t(locale, "card_dormant", date=when, days=card.quiet_days))]
    if card.status in (AccountStatus.LOST, AccountStatus.ARCHIVED):
        text = t(locale, "card_out_since", date=fmt_date(since, locale, today)) if since else ""
        return [context(t(locale, f"card_status_{card.status.value}", since=text))]
    return []


def _segment(account: AccountFacts, locale: str) -> str:
    if not account.segment:
        return t(locale, "card_no_segment")
    return t(locale, "card_segment", segment=user_text(account.segment, NAME_LIMIT))


def _history_blocks(card: AccountCard, today: date, locale: str) -> list[Block]:
    """The history's title, each activity with its *Edit* / *Delete* menu, and how many more there are."""
    title, *lines = _history(card, today, locale)
    if not card.history:
        return [section("\n".join([title, *lines]))]
    blocks = [section(title)]
    for index, activity in enumerate(card.history):
        blocks.append(section(lines[index], accessory=activity_menu(index, activity.id, locale)))
    blocks.extend(context(line) for line in lines[len(card.history) :])
    return blocks


def _history(card: AccountCard, today: date, locale: str) -> list[str]:
    """The latest activities, newest first, and how many more there are."""
    lines = [t(locale, "card_history")]
    for activity in card.history:
        note = f" — {user_text(activity.note, NOTE_PREVIEW)}" if activity.note else ""
        amount = f" {fmt_amount(activity.amount, locale)}" if activity.amount is not None else ""
        kind = t(locale, f"kind_{activity.kind.value}")
        if activity.lost_reason is not None:
            kind += t(
                locale, "card_lost_reason", reason=t(locale, f"lost_reason_{activity.lost_reason.value}")
            )
        line = t(
            locale,
            "card_history_line",
            date=fmt_date(activity.occurred_on, locale, today),
            kind=kind,
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
