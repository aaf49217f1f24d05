"""Messages about failures: the owner's checklist DM, the team channel post, the flag, the verdict."""

from __future__ import annotations

from typing import Any

from bot import interactions as ids
from bot.domain.recovery import FIVE_STEPS, RecoveryStatus, steps_done
from bot.i18n import t
from bot.usecases.facts import RecoveryFacts
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


def _name(recovery: RecoveryFacts) -> str:
    return user_text(recovery.account_name, ONE_NAME_LIMIT)


def _what(recovery: RecoveryFacts) -> str:
    return user_text(recovery.what, ONE_NOTE_LIMIT)


def owner_checklist(recovery: RecoveryFacts, locale: str) -> Message:
    title = t(locale, "trouble_dm_title", account=_name(recovery), what=_what(recovery))
    options = [{"text": plain(t(locale, f"recovery_step_{step}")), "value": step} for step in FIVE_STEPS]
    done = set(steps_done(recovery.steps_done))
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": ids.RECOVERY_STEPS, "options": options}
    initial = [option for option in options if option["value"] in done]
    if initial:
        checkboxes["initial_options"] = initial
    blocks: list[Block] = [
        section(title),
        context(t(locale, "trouble_dm_intro")),
        {**actions(checkboxes), "block_id": ids.recovery_steps_block(recovery.id)},
    ]
    buttons = []
    status = recovery.status
    if status is RecoveryStatus.OPEN:
        buttons.append(
            button(t(locale, "button_responded"), ids.RECOVERY_RESPONDED, str(recovery.id), style="primary")
        )
    if status is RecoveryStatus.RESPONDED:
        buttons.append(
            button(t(locale, "button_recovered"), ids.RECOVERY_RECOVERED, str(recovery.id), style="primary")
        )
    if not status.is_closed:
        buttons.append(
            button(t(locale, "button_recovery_lost"), ids.RECOVERY_LOST, str(recovery.id), style="danger")
        )
        blocks.append(actions(*buttons, block_id=ids.item_actions(ids.recovery_item(recovery.id))))
    else:
        blocks.append(context(t(locale, f"recovery_status_{status.value}")))
    return message(title, blocks)


def channel_post(recovery: RecoveryFacts, locale: str) -> Message:
    text = t(
        locale,
        "trouble_channel",
        account=_name(recovery),
        owner=mention(recovery.owner_id),
        user=mention(recovery.opened_by),
        what=_what(recovery),
    )
    return message(text, [section(text)])


def flag_post(recovery: RecoveryFacts, days: int, locale: str) -> Message:
    text = t(
        locale,
        "trouble_flag",
        account=_name(recovery),
        owner=mention(recovery.owner_id),
        days=days,
        what=_what(recovery),
    )
    return message(text, [section(text)])


def verdict_question(recovery: RecoveryFacts, locale: str) -> Message:
    text = t(locale, "verdict_question", account=_name(recovery), what=_what(recovery))
    return message(
        text,
        [
            section(text),
            actions(
                button(t(locale, "button_verdict_yes"), ids.VERDICT_YES, str(recovery.id), style="primary"),
                button(t(locale, "button_verdict_not_yet"), ids.VERDICT_NOT_YET, str(recovery.id)),
                block_id=ids.item_actions(ids.recovery_item(recovery.id)),
            ),
        ],
    )
