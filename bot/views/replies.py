"""Replies to the logging commands: what was stored, the step now, the change; questions and errors."""

from __future__ import annotations

from bot.domain.activities import ActivityKind
from bot.domain.stages import Step, next_step
from bot.i18n import t
from bot.models import Account
from bot.services.activities import Logged
from bot.views.blocks import (
    ONE_NAME_LIMIT,
    ONE_NOTE_LIMIT,
    Message,
    actions,
    button,
    context,
    fmt_amount,
    fmt_date,
    mention,
    message,
    section,
    stage_name,
    step_line,
    step_name,
    user_text,
)

# The parameters of an edit confirmation that carry a name or a segment as typed or stored (the others,
# such as `owner`, are mentions the caller built): escaped, so that they cannot become markup, and clipped.
EDIT_USER_PARAMS = frozenset({"account", "old", "new", "segment"})


def logged(result: Logged, locale: str) -> Message:
    account, activity = result.account, result.activity
    kind = ActivityKind(activity.kind)
    stored = t(
        locale,
        "logged_deal" if kind.is_deal else "logged_touch",
        kind=t(locale, f"kind_{kind.value}"),
        account=user_text(account.name, ONE_NAME_LIMIT),
        date=fmt_date(activity.occurred_on, locale),
    )
    details = [stored]
    if activity.amount is not None:
        details.append(t(locale, "logged_amount", amount=fmt_amount(activity.amount, locale)))
    if activity.revisit_on is not None:
        details.append(t(locale, "logged_revisit", date=fmt_date(activity.revisit_on, locale)))
    if result.duplicate:
        details = [t(locale, "duplicate_request"), *details]
    if result.created_account:
        details.append(
            t(
                locale,
                "account_created",
                account=user_text(account.name, ONE_NAME_LIMIT),
                owner=mention(account.owner_id),
            )
        )

    lines = [" ".join(details), climb_text(result, locale)]
    if activity.note:
        lines.append(t(locale, "logged_note", note=user_text(activity.note, ONE_NOTE_LIMIT)))
    for due in result.followups_scheduled:
        lines.append("📅 " + t(locale, "followup_auto_scheduled", date=fmt_date(due, locale)))
    blocks = [section("\n".join(lines)), context(next_step_advice(account.current_step, locale))]
    return message(" ".join(details[:2]) if result.duplicate else stored, blocks)


def climb_text(result: Logged, locale: str) -> str:
    climb = result.climb
    if not climb.moved:
        return step_line(climb.after, locale) + " " + t(locale, "step_unchanged")
    parts = [
        t(
            locale,
            "step_moved",
            from_label=climb.before.label,
            from_step=step_name(climb.before, locale),
            to_label=climb.after.label,
            to_step=step_name(climb.after, locale),
        )
    ]
    if climb.stage_changed:
        parts.append(
            t(
                locale,
                "stage_moved",
                from_stage=stage_name(climb.before.stage, locale),
                to_stage=stage_name(climb.after.stage, locale),
            )
        )
    if climb.skipped:
        steps = ", ".join(f"{step.label} {step_name(step, locale)}" for step in climb.skipped)
        parts.append(t(locale, "steps_skipped", steps=steps))
    return " ".join(parts)


def next_step_advice(step: Step, locale: str) -> str:
    advice = t(locale, f"advice_{step.value}")
    upcoming = next_step(step)
    if upcoming is None:
        return "💡 " + t(locale, "top_of_ladder", advice=advice)
    return "💡 " + t(
        locale, "next_step", label=upcoming.label, step=step_name(upcoming, locale), advice=advice
    )


def did_you_mean(name: str, candidates: tuple[Account, ...], pending_id: str, locale: str) -> Message:
    text = t(locale, "did_you_mean", name=user_text(name, ONE_NAME_LIMIT))
    choices = [
        button(
            t(locale, "use_account", account=candidate.name),
            f"near_match_use_{index}",
            {"p": pending_id, "a": candidate.id},
            style="primary" if index == 0 else None,
        )
        for index, candidate in enumerate(candidates)
    ]
    choices.append(button(t(locale, "create_account", name=name), "near_match_create", {"p": pending_id}))
    return message(text, [section(text), actions(*choices, block_id="near_match")])


def error(code: str, params: dict[str, object], locale: str, example: str | None) -> Message:
    # Parameters often echo what the user typed: escaped so that it cannot become Slack markup.
    safe = {
        key: user_text(value, ONE_NOTE_LIMIT) if isinstance(value, str) else value
        for key, value in params.items()
    }
    text = "⚠️ " + t(locale, f"error_{code}", **safe)
    blocks = [section(text)]
    if example:
        blocks.append(context(t(locale, "example", example=t(locale, f"example_{example}"))))
    return message(text, blocks)


def plain_notice(text: str) -> Message:
    return message(text, [section(text)])


def edited(key: str, locale: str, **params: object) -> Message:
    safe = {
        name: user_text(value, ONE_NAME_LIMIT)
        if name in EDIT_USER_PARAMS and isinstance(value, str)
        else value
        for name, value in params.items()
    }
    return plain_notice("✅ " + t(locale, key, **safe))
