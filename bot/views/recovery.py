"""Messages about failures: the owner's checklist DM, the team channel post, the flag, the verdict."""

from __future__ import annotations

from typing import Any

from bot.domain.recovery import FIVE_STEPS, RecoveryStatus, steps_done
from bot.i18n import t
from bot.models import Account, Recovery
from bot.views.blocks import (
    ONE_NAME_LIMIT,
    ONE_NOTE_LIMIT,
    Block,
    Message,
    actions,
    button,
    context,
    mention,
    message,
    plain,
    section,
    user_text,
)

# Messages about one recovery: the account's name and what went wrong, escaped and clipped.


def _name(account: Account) -> str:
    return user_text(account.name, ONE_NAME_LIMIT)


def _what(recovery: Recovery) -> str:
    return user_text(recovery.what, ONE_NOTE_LIMIT)


def owner_checklist(recovery: Recovery, account: Account, locale: str) -> Message:
    title = t(locale, "trouble_dm_title", account=_name(account), what=_what(recovery))
    options = [{"text": plain(t(locale, f"recovery_step_{step}")), "value": step} for step in FIVE_STEPS]
    done = set(steps_done(recovery.steps_done))
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": "recovery_steps", "options": options}
    initial = [option for option in options if option["value"] in done]
    if initial:
        checkboxes["initial_options"] = initial
    blocks: list[Block] = [
        section(title),
        context(t(locale, "trouble_dm_intro")),
        {**actions(checkboxes), "block_id": f"rc_{recovery.id}_steps"},
    ]
    buttons = []
    status = RecoveryStatus(recovery.status)
    if status is RecoveryStatus.OPEN:
        buttons.append(
            button(t(locale, "button_responded"), "recovery_responded", str(recovery.id), style="primary")
        )
    if status is RecoveryStatus.RESPONDED:
        buttons.append(
            button(t(locale, "button_recovered"), "recovery_recovered", str(recovery.id), style="primary")
        )
    if not status.is_closed:
        buttons.append(
            button(t(locale, "button_recovery_lost"), "recovery_lost", str(recovery.id), style="danger")
        )
        blocks.append(actions(*buttons, block_id=f"rc_{recovery.id}_actions"))
    else:
        blocks.append(context(t(locale, f"recovery_status_{status.value}")))
    return message(title, blocks)


def channel_post(recovery: Recovery, account: Account, locale: str) -> Message:
    text = t(
        locale,
        "trouble_channel",
        account=_name(account),
        owner=mention(recovery.owner_id),
        user=mention(recovery.opened_by),
        what=_what(recovery),
    )
    return message(text, [section(text)])


def flag_post(recovery: Recovery, account: Account, days: int, locale: str) -> Message:
    text = t(
        locale,
        "trouble_flag",
        account=_name(account),
        owner=mention(recovery.owner_id),
        days=days,
        what=_what(recovery),
    )
    return message(text, [section(text)])


def verdict_question(recovery: Recovery, account: Account, locale: str) -> Message:
    text = t(locale, "verdict_question", account=_name(account), what=_what(recovery))
    return message(
        text,
        [
            section(text),
            actions(
                button(t(locale, "button_verdict_yes"), "verdict_yes", str(recovery.id), style="primary"),
                button(t(locale, "button_verdict_not_yet"), "verdict_not_yet", str(recovery.id)),
                block_id=f"rc_{recovery.id}_actions",
            ),
        ],
    )
