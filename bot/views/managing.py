"""What a manager's corrections answer, the merge's confirmation, the channel line of a stage set by
hand, and the card's short list of recent hand corrections."""

from __future__ import annotations

from datetime import date

from bot import interactions as ids
from bot.domain.stages import Stage, Step
from bot.i18n import t
from bot.usecases.managing_facts import (
    CorrectionFacts,
    MergeFacts,
    MergePlan,
    NotAManager,
    StatusFacts,
    StepSetFacts,
)
from bot.views.blocks import (
    NAME_LIMIT,
    NOTE_LIMIT,
    ONE_NAME_LIMIT,
    ONE_NOTE_LIMIT,
    Block,
    Message,
    actions,
    button,
    clip_plain,
    context,
    fmt_date,
    mention,
    message,
    plain,
    section,
    stage_name,
    step_name,
    user_text,
)

# The confirm dialog's limits (Slack: title 100, text 300, buttons 30 characters).
_CONFIRM_TITLE = 100
_CONFIRM_TEXT = 300
_CONFIRM_BUTTON = 30
# The card's context block: one text element of at most 2000 characters.
_CONTEXT_TEXT = 2000

# Which example a bad correction is answered with, by the error's code.
_EXAMPLES = {
    "step_missing": "account_step",
    "step_unknown": "account_step",
    "merge_missing_other": "account_merge",
    "merge_into_itself": "account_merge",
}


def example_for(code: str, params: dict[str, object]) -> str | None:
    """The example for a correction's error; None when the error is not about a correction."""
    if code == "reason_required":
        return "account_step" if params.get("verb") == "step" else "account_status"
    return _EXAMPLES.get(code)


def _step(step: Step, locale: str) -> str:
    return f"{step.label} {step_name(step, locale)}"


def _status(status: str, locale: str) -> str:
    return t(locale, f"managing_status_{status}")


def _name(name: str) -> str:
    return user_text(name, ONE_NAME_LIMIT)


def correction_reply(
    result: NotAManager | StepSetFacts | StatusFacts | MergePlan | MergeFacts, locale: str
) -> Message:
    if isinstance(result, NotAManager):
        return not_a_manager(result, locale)
    if isinstance(result, StepSetFacts):
        return step_set(result, locale)
    if isinstance(result, StatusFacts):
        return status_changed(result, locale)
    if isinstance(result, MergePlan):
        return merge_plan(result, locale)
    return merged(result, locale)


def not_a_manager(refused: NotAManager, locale: str) -> Message:
    text = t(locale, "managing_not_a_manager")
    if refused.managers:
        separator = "、" if locale == "ja" else ", "
        names = separator.join(mention(user_id) for user_id in refused.managers)
        text += " " + t(locale, "managing_ask", managers=names)
    return message(text, [section(text)])


def _with_reason(lines: list[str], reason: str | None, locale: str) -> list[str]:
    if reason:
        lines.append(t(locale, "managing_reason", reason=user_text(reason, ONE_NOTE_LIMIT)))
    return lines


def step_set(done: StepSetFacts, locale: str) -> Message:
    account = _name(done.account)
    if not done.changed:
        text = t(locale, "step_same", account=account, step=_step(done.after, locale))
        return message(text, [section(text)])
    lines = [
        t(
            locale,
            "step_set",
            account=account,
            before=_step(done.before, locale),
            after=_step(done.after, locale),
        )
    ]
    _with_reason(lines, done.reason, locale)
    if done.supported > done.after:
        lines.append(t(locale, "step_below_evidence", step=_step(done.supported, locale)))
    if done.announced:
        lines.append(t(locale, "step_announced"))
    text = "\n".join(lines)
    return message(lines[0], [section(text)])


def status_changed(done: StatusFacts, locale: str) -> Message:
    account = _name(done.account)
    if not done.changed:
        text = t(locale, "status_same", account=account, status=_status(done.before.value, locale))
        return message(text, [section(text)])
    key = f"status_{done.verb}"
    first = t(locale, key, account=account, before=_status(done.before.value, locale))
    lines = _with_reason([first], done.reason, locale)
    return message(first, [section("\n".join(lines))])


def merge_plan(plan: MergePlan, locale: str) -> Message:
    text = t(
        locale,
        "merge_plan",
        merged=_name(plan.merged),
        survivor=_name(plan.survivor),
        activities=plan.activities,
        followups=plan.followups,
        recoveries=plan.recoveries,
    )
    lines = _with_reason([text], plan.reason, locale)
    confirm_button = button(
        t(locale, "merge_button"),
        ids.MERGE_CONFIRM,
        ids.merge_value(plan.survivor_id, plan.merged_id, plan.reason),
        style="danger",
    )
    confirm_button["confirm"] = {
        "title": plain(clip_plain(t(locale, "merge_confirm_title"), _CONFIRM_TITLE)),
        "text": plain(
            clip_plain(
                t(
                    locale,
                    "merge_confirm_text",
                    merged=clip_plain(plan.merged, NAME_LIMIT),
                    survivor=clip_plain(plan.survivor, NAME_LIMIT),
                ),
                _CONFIRM_TEXT,
            )
        ),
        "confirm": plain(clip_plain(t(locale, "merge_confirm_yes"), _CONFIRM_BUTTON)),
        "deny": plain(clip_plain(t(locale, "merge_confirm_no"), _CONFIRM_BUTTON)),
        "style": "danger",
    }
    cancel = button(t(locale, "merge_cancel_button"), ids.MERGE_CANCEL, "cancel")
    blocks = [section("\n".join(lines)), actions(confirm_button, cancel, block_id=ids.MERGE_ACTIONS)]
    return message(text, blocks)


def merged(done: MergeFacts, locale: str) -> Message:
    survivor, merged_name = _name(done.survivor), _name(done.merged)
    if done.already:
        text = t(locale, "merge_already", merged=merged_name, survivor=survivor)
        return message(text, [section(text)])
    first = t(
        locale,
        "merge_done",
        merged=merged_name,
        survivor=survivor,
        activities=done.activities,
        followups=done.followups,
        recoveries=done.recoveries,
    )
    if done.before == done.after:
        step = t(locale, "merge_step_same", survivor=survivor, step=_step(done.after, locale))
    else:
        step = t(
            locale,
            "merge_step",
            survivor=survivor,
            before=_step(done.before, locale),
            after=_step(done.after, locale),
        )
    return message(first, [section(f"{first}\n{step}")])


def merge_cancelled(locale: str) -> Message:
    text = t(locale, "merge_cancelled")
    return message(text, [section(text)])


def manual_stage_announcement(
    user_id: str, account: str, before: Stage, after: Stage, reason: str | None, locale: str
) -> Message:
    text = t(
        locale,
        "manual_stage_announcement",
        user=mention(user_id),
        account=user_text(account, NAME_LIMIT),
        from_stage=stage_name(before, locale),
        to_stage=stage_name(after, locale),
        reason=user_text(reason or "", NOTE_LIMIT),
    )
    return message(text, [section(text)])


def corrections_block(corrections: tuple[CorrectionFacts, ...], today: date, locale: str) -> Block | None:
    """The card's recent hand corrections, newest first, in one context block; None when there are none.
    Each reason is clipped so that the lines together stay inside the element's 2000 characters."""
    if not corrections:
        return None
    lines = [t(locale, "card_corrections")]
    budget = (_CONTEXT_TEXT - 100) // len(corrections)
    for correction in corrections:
        lines.append("• " + _correction_line(correction, today, locale, budget))
    return context("\n".join(lines))


def _correction_line(correction: CorrectionFacts, today: date, locale: str, budget: int) -> str:
    reason = ""
    if correction.reason:
        reason = t(
            locale,
            "card_correction_reason",
            reason=user_text(correction.reason, min(NOTE_LIMIT, budget // 2)),
        )
    params: dict[str, object] = {
        "date": fmt_date(correction.on, locale, today),
        "user": mention(correction.user_id),
        "reason": reason,
        "other": user_text(correction.other or "?", min(NAME_LIMIT, budget // 4)),
    }
    key = f"card_correction_{correction.kind}"
    if correction.kind == "step":
        params["before"] = correction.from_step.label if correction.from_step else "?"
        params["after"] = correction.to_step.label if correction.to_step else "?"
    elif correction.kind == "merge":
        # On the survivor the other account was merged in; on the merged one, it went into the other.
        key = "card_correction_merge_out" if correction.merged_out else "card_correction_merge_in"
    return t(locale, key, **params)
