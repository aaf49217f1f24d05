"""Messages about failures: the owner's checklist DM (with the seed's wording), the next step's actions
(Responded, the next delivery's date, Lost), the team channel post and its buttons, the escalation
ladder's messages, the at-risk alert, the verdict question after the next delivery."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import interactions as ids
from bot.domain.fields import MAX_NOTE
from bot.domain.recovery import FIVE_STEPS, REPEAT_WINDOW_DAYS, Cause, RecoveryStatus, steps_done
from bot.i18n import t
from bot.usecases.facts import AccountCard, RecoveryFacts
from bot.views.blocks import (
    NOTE_LIMIT,
    ONE_NAME_LIMIT,
    ONE_NOTE_LIMIT,
    Block,
    Message,
    actions,
    button,
    context,
    fmt_date,
    input_block,
    mention,
    message,
    modal,
    plain,
    section,
    user_text,
)

# Messages about one recovery: the account's name and what went wrong, escaped and clipped.


def _name(recovery: RecoveryFacts) -> str:
    return user_text(recovery.account_name, ONE_NAME_LIMIT)


def _what(recovery: RecoveryFacts) -> str:
    return user_text(recovery.what, ONE_NOTE_LIMIT)


def _said(locale: str, key: str, recovery: RecoveryFacts, **more: object) -> str:
    """A text about one recovery: its account and what went wrong, then the text's own `more`."""
    return t(locale, key, account=_name(recovery), what=_what(recovery), **more)


def account_label(recovery: RecoveryFacts) -> str:
    return _name(recovery)


def cause_label(cause: str | None, locale: str) -> str:
    return t(locale, f"cause_{cause or 'unknown'}")


def status_label(status: RecoveryStatus, locale: str) -> str:
    return t(locale, f"recovery_status_{status.value}")


def owner_checklist(recovery: RecoveryFacts, locale: str, today: date | None = None) -> Message:
    title = _said(locale, "trouble_dm_title", recovery)
    options = [{"text": plain(t(locale, f"recovery_step_{step}")), "value": step} for step in FIVE_STEPS]
    done = set(steps_done(recovery.steps_done))
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": ids.RECOVERY_STEPS, "options": options}
    initial = [option for option in options if option["value"] in done]
    if initial:
        checkboxes["initial_options"] = initial
    wording = "\n".join(t(locale, f"recovery_wording_{step}") for step in FIVE_STEPS)
    blocks: list[Block] = [
        section(title),
        context(t(locale, "trouble_dm_intro")),
        context(t(locale, "recovery_wording_intro") + "\n" + wording),
        {**actions(checkboxes), "block_id": ids.recovery_steps_block(recovery.id)},
    ]
    if recovery.cause:
        blocks.insert(1, context(t(locale, "recovery_cause_line", cause=cause_label(recovery.cause, locale))))
    next_step = next_step_actions(recovery, locale, today)
    if next_step is not None:
        if recovery.status is RecoveryStatus.AWAITING and recovery.delivery_on is not None:
            blocks.append(context(delivery_line(recovery, locale, today)))
        blocks.append(next_step)
    else:
        blocks.append(context(status_label(recovery.status, locale)))
    return message(title, blocks)


def delivery_line(recovery: RecoveryFacts, locale: str, today: date | None) -> str:
    on = recovery.delivery_on
    return t(locale, "recovery_awaiting_line", date=fmt_date(on, locale, today) if on else "?")


def next_step_actions(recovery: RecoveryFacts, locale: str, today: date | None = None) -> Block | None:
    return item_actions(recovery.id, recovery.status, recovery.delivery_on, locale)


def item_actions(
    recovery_id: int, status: RecoveryStatus, delivery_on: date | None, locale: str
) -> Block | None:
    """What the owner can do next, one half at a time: *Responded* while open; then the next delivery's
    date (a date picker, also to move it); *Lost* at any point. Nothing once closed. No button closes a
    recovery as recovered: that is the verdict's, after the next delivery (`verdict_question`)."""
    if status.is_closed:
        return None
    elements: list[Block] = []
    if status is RecoveryStatus.OPEN:
        elements.append(
            button(t(locale, "button_responded"), ids.RECOVERY_RESPONDED, str(recovery_id), style="primary")
        )
    else:
        picker: Block = {
            "type": "datepicker",
            "action_id": ids.RECOVERY_DELIVERY_ON,
            "placeholder": plain(t(locale, "recovery_delivery_placeholder")),
        }
        if delivery_on is not None:
            picker["initial_date"] = delivery_on.isoformat()
        elements.append(picker)
    elements.append(
        button(t(locale, "button_recovery_lost"), ids.RECOVERY_LOST, str(recovery_id), style="danger")
    )
    return actions(*elements, block_id=ids.item_actions(ids.recovery_item(recovery_id)))


def next_step_prompt(recovery: RecoveryFacts, locale: str, today: date | None) -> str | None:
    """The line above the next step's actions once a half moved: what to do now."""
    if recovery.status is RecoveryStatus.RESPONDED:
        return t(locale, "recovery_delivery_prompt")
    if recovery.status is RecoveryStatus.AWAITING:
        return delivery_line(recovery, locale, today)
    return None


def _team_buttons(recovery: RecoveryFacts, locale: str) -> Block:
    value = str(recovery.id)
    return actions(
        button(t(locale, "button_take_it"), ids.RECOVERY_TAKE, value),
        button(t(locale, "button_add_note"), ids.RECOVERY_ADD_NOTE, value),
        button(t(locale, "button_escalate"), ids.RECOVERY_ESCALATE, value),
        block_id=f"{ids.recovery_item(recovery.id)}_team",
    )


def channel_post(recovery: RecoveryFacts, locale: str) -> Message:
    """Complaints are the organisation's: any teammate can take it over, add a note or escalate it."""
    owner, user = mention(recovery.owner_id), mention(recovery.opened_by)
    text = _said(locale, "trouble_channel", recovery, owner=owner, user=user)
    blocks = [section(text)]
    if recovery.cause:
        blocks.append(context(t(locale, "recovery_cause_line", cause=cause_label(recovery.cause, locale))))
    blocks.append(_team_buttons(recovery, locale))
    return message(text, blocks)


def _team_alert(locale: str, key: str, recovery: RecoveryFacts, **more: object) -> Message:
    """A text about a recovery for the team or the managers (its owner named), over the team's buttons."""
    text = _said(locale, key, recovery, owner=mention(recovery.owner_id), **more)
    return message(text, [section(text), _team_buttons(recovery, locale)])


def flag_post(recovery: RecoveryFacts, days: int, locale: str) -> Message:
    """Rung 2: the team channel hears of it."""
    return _team_alert(locale, "trouble_flag", recovery, days=days)


def owner_reminder(recovery: RecoveryFacts, locale: str, today: date) -> Message:
    """Rung 1: not responded by the end of the day it was opened."""
    opened = fmt_date(recovery.opened_on, locale, today) if recovery.opened_on else ""
    text = _said(locale, "recovery_remind", recovery, date=opened)
    blocks = [section(text)]
    next_step = next_step_actions(recovery, locale, today)
    if next_step is not None:
        blocks.append(next_step)
    return message(text, blocks)


def managers_escalation(recovery: RecoveryFacts, days: int, locale: str) -> Message:
    """Rung 3: the managers hear of a failure still without a response."""
    return _team_alert(locale, "recovery_escalation_managers", recovery, days=days)


def escalated_by(recovery: RecoveryFacts, user_id: str, locale: str) -> Message:
    """Someone pressed *Escalate*: the managers' DM."""
    return _team_alert(locale, "recovery_escalated_by", recovery, user=mention(user_id))


def at_risk_alert(recovery: RecoveryFacts, locale: str) -> Message:
    """A second failure on an account with an open or recent recovery: the channel and managers, at once."""
    return _team_alert(locale, "recovery_at_risk", recovery, user=mention(recovery.opened_by))


def verdict_no_alert(recovery: RecoveryFacts, user_id: str, locale: str) -> Message:
    """The next delivery did not clearly exceed expectations: the managers hear of it."""
    return _team_alert(locale, "recovery_verdict_no_alert", recovery, user=mention(user_id))


def note_posted(recovery: RecoveryFacts, user_id: str, note: str, locale: str) -> Message:
    text = t(
        locale,
        "recovery_note_posted",
        user=mention(user_id),
        account=_name(recovery),
        note=user_text(note, ONE_NOTE_LIMIT),
    )
    return message(text, [section(text)])


def delivery_question(recovery: RecoveryFacts, locale: str) -> Message:
    """Responded, and no date yet for the next delivery: when is it?"""
    text = _said(locale, "recovery_delivery_ask", recovery)
    blocks = [section(text)]
    next_step = next_step_actions(recovery, locale)
    if next_step is not None:
        blocks.append(next_step)
    return message(text, blocks)


def verdict_question(recovery: RecoveryFacts, locale: str, today: date | None = None) -> Message:
    """After the next delivery's day: did it clearly exceed expectations? Only yes closes it."""
    on = recovery.delivery_on
    text = _said(
        locale, "recovery_verdict_question", recovery, date=fmt_date(on, locale, today) if on else "?"
    )
    return message(
        text,
        [
            section(text),
            actions(
                button(t(locale, "button_verdict_yes"), ids.VERDICT_YES, str(recovery.id), style="primary"),
                button(t(locale, "button_verdict_no"), ids.VERDICT_NO, str(recovery.id)),
                block_id=ids.item_actions(ids.recovery_item(recovery.id)),
            ),
        ],
    )


def note_modal(recovery: RecoveryFacts, locale: str, metadata: str) -> dict[str, Any]:
    return modal(
        ids.RECOVERY_NOTE_CALLBACK,
        t(locale, "recovery_note_title"),
        t(locale, "recovery_note_submit"),
        t(locale, "recovery_note_cancel"),
        metadata,
        [
            section(_said(locale, "recovery_note_about", recovery)),
            input_block(
                ids.RECOVERY_NOTE_FIELD,
                t(locale, "recovery_note_label"),
                {
                    "type": "plain_text_input",
                    "action_id": ids.RECOVERY_NOTE_FIELD,
                    "multiline": True,
                    "max_length": 2000,
                },
            ),
        ],
    )


def card_blocks(card: AccountCard, today: date, locale: str) -> list[Block]:
    """The account card's recoveries (SPEC §3): open ones first, then the latest closed; state, cause,
    age and owner; "at risk" when a failure came again while one was open or recent."""
    if not card.recoveries and card.at_risk_since is None:
        return []
    lines = [
        "*" + t(locale, "recovery_card_head", count=card.recovery_count) + "*",
    ]
    if card.at_risk_since is not None:
        lines.append(
            t(locale, "recovery_card_at_risk", date=fmt_date(card.at_risk_since.date(), locale, today))
        )
    for recovery in card.recoveries:
        opened = recovery.opened_on or today
        line = t(
            locale,
            "recovery_card_line",
            status=status_label(recovery.status, locale),
            cause=cause_label(recovery.cause, locale),
            date=fmt_date(opened, locale, today),
            days=(today - opened).days,
            owner=mention(recovery.owner_id),
        )
        lines.append(f"• {line}\n   {user_text(recovery.what, NOTE_LIMIT)}")
    hidden = card.recovery_count - len(card.recoveries)
    if hidden > 0:
        lines.append(t(locale, "recovery_card_more", count=hidden))
    return [section("\n".join(lines))]


SUMMARY_STATE_LINES = 15


def summary_blocks(
    states: tuple[tuple[str, str, int], ...], causes: tuple[tuple[str, int], ...], locale: str
) -> list[Block]:
    """The weekly summary's recoveries by state and owner, and the causes that repeat (SPEC §5)."""
    lines = []
    if states:
        lines.append("*" + t(locale, "summary_recovery_states") + "*")
        for status, owner, count in states[:SUMMARY_STATE_LINES]:
            label = status_label(RecoveryStatus(status), locale)
            lines.append(
                "• "
                + t(locale, "summary_recovery_state_line", status=label, owner=mention(owner), count=count)
            )
        if len(states) > SUMMARY_STATE_LINES:
            lines.append(t(locale, "recovery_card_more", count=len(states) - SUMMARY_STATE_LINES))
    if causes:
        listed = ", ".join(f"{cause_label(cause, locale)} ×{count}" for cause, count in causes)
        lines.append(t(locale, "summary_repeated_causes", days=REPEAT_WINDOW_DAYS, causes=listed))
    return [section("\n".join(lines))] if lines else []


def trouble_modal(*, locale: str, metadata: str) -> dict[str, Any]:
    """`/trouble` with no text: the account (type-ahead), the cause (radio buttons), what went wrong."""
    causes = [{"text": plain(cause_label(cause.value, locale)), "value": cause.value} for cause in Cause]
    return modal(
        ids.TROUBLE_CALLBACK,
        t(locale, "modal_trouble_title"),
        t(locale, "modal_submit"),
        t(locale, "modal_cancel"),
        metadata,
        [
            input_block(
                ids.ACCOUNT_BLOCK,
                t(locale, "field_account"),
                {
                    "type": "external_select",
                    "action_id": ids.ACCOUNT_ACTION,
                    "placeholder": plain(t(locale, "field_account_placeholder")),
                    "min_query_length": 0,
                },
            ),
            input_block(
                ids.CAUSE_FIELD,
                t(locale, "field_trouble_cause"),
                {"type": "radio_buttons", "action_id": ids.CAUSE_FIELD, "options": causes},
            ),
            input_block(
                ids.NOTE_FIELD,
                t(locale, "field_trouble_what"),
                {
                    "type": "plain_text_input",
                    "action_id": ids.NOTE_FIELD,
                    "multiline": True,
                    "max_length": MAX_NOTE,
                },
            ),
        ],
    )


def after_sale_hint(locale: str) -> str:
    """The seed's after-sale follow-up: a thank-you, and a call asking how it is going."""
    return t(locale, "after_sale_hint")


def after_sale_buttons(followup_id: int, locale: str) -> list[Block]:
    """Done, asked as satisfied / not satisfied; "not satisfied" opens a recovery in one click."""
    value = str(followup_id)
    return [
        button(t(locale, "button_after_sale_satisfied"), ids.FOLLOWUP_DONE, value, style="primary"),
        button(t(locale, "button_after_sale_unsatisfied"), ids.AFTER_SALE_UNSATISFIED, value, style="danger"),
    ]
