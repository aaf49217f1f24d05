"""Replies to the logging commands: what was stored, the step now, the change; questions and errors."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot import interactions as ids
from bot.domain.followups import AFTER_SALE_DAYS, Due
from bot.domain.stages import Step, next_step
from bot.i18n import period, t
from bot.usecases.facts import (
    AccountFacts,
    AskedFacts,
    Edited,
    FollowupFacts,
    LoggedFacts,
    RecoveryFacts,
    RenewalRecorded,
)
from bot.views.blocks import (
    ONE_NAME_LIMIT,
    ONE_NOTE_LIMIT,
    Message,
    actions,
    button,
    context,
    escape,
    fmt_amount,
    fmt_date,
    mention,
    message,
    moved_text,
    section,
    stage_name,
    step_line,
    step_name,
    user_text,
)
from bot.views.corrections import undo_actions

# The parameters of an edit confirmation that carry a name or a segment as typed or stored (the others,
# such as `owner`, are mentions the caller built): escaped, so that they cannot become markup, and clipped.
EDIT_USER_PARAMS = frozenset({"account", "old", "new", "segment", "contact"})


def logged(result: LoggedFacts, locale: str) -> Message:
    account, activity = result.account, result.activity
    kind = activity.kind
    stored = t(
        locale,
        "logged_deal" if kind.is_deal else "logged_touch",
        kind=t(locale, f"kind_{kind.value}"),
        account=user_text(account.name, ONE_NAME_LIMIT),
        date=fmt_date(activity.occurred_on, locale, result.today),
    )
    details = [stored]
    if activity.amount is not None:
        details.append(t(locale, "logged_amount", amount=fmt_amount(activity.amount, locale)))
    if activity.lost_reason is not None:
        details.append(
            t(locale, "logged_lost_reason", reason=t(locale, f"lost_reason_{activity.lost_reason.value}"))
        )
    if activity.revisit_on is not None:
        details.append(t(locale, "logged_revisit", date=fmt_date(activity.revisit_on, locale, result.today)))
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
    for done in result.followups_closed:
        lines.append(followup_closed_line(done.note, done.due_on, locale, result.today))
    if result.status_move is not None:
        lines.append(
            t(
                locale,
                f"status_move_{result.status_move.value}",
                account=user_text(account.name, ONE_NAME_LIMIT),
            )
        )
    if result.segment_set is not None:
        lines.append(
            t(
                locale,
                "segment_set_after_loss",
                account=user_text(account.name, ONE_NAME_LIMIT),
                segment=result.segment_set.value,
            )
        )
    for due in result.followups_scheduled:
        lines.append(
            "📅 " + t(locale, "followup_auto_scheduled", date=fmt_date(due.on, locale, result.today))
        )
        if due.moved:
            lines.append(moved_off_day(due.asked, locale, result.today))
    blocks = [section("\n".join(lines)), context(next_step_advice(account.current_step, locale))]
    return message(" ".join(details[:2]) if result.duplicate else stored, blocks)


def climb_text(result: LoggedFacts, locale: str) -> str:
    climb = result.climb
    if not climb.moved:
        return step_line(climb.after, locale) + " " + t(locale, "step_unchanged")
    parts = [moved_text("step_moved", climb, locale)]
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
    advice = t(locale, f"advice_{step.value}", period=period(locale, AFTER_SALE_DAYS))
    upcoming = next_step(step)
    if upcoming is None:
        return "💡 " + t(locale, "top_of_ladder", advice=advice)
    return "💡 " + t(
        locale, "next_step", label=upcoming.label, step=step_name(upcoming, locale), advice=advice
    )


def did_you_mean(name: str, candidates: tuple[AccountFacts, ...], pending_id: str, locale: str) -> Message:
    text = t(locale, "did_you_mean", name=user_text(name, ONE_NAME_LIMIT))
    choices = [
        button(
            t(locale, "use_account", account=candidate.name),
            ids.near_match_use(index),
            ids.near_match_value(pending_id, candidate.id),
            style="primary" if index == 0 else None,
        )
        for index, candidate in enumerate(candidates)
    ]
    choices.append(
        button(
            t(locale, "create_account", name=name), ids.NEAR_MATCH_CREATE, ids.near_match_value(pending_id)
        )
    )
    return message(text, [section(text), actions(*choices, block_id=ids.NEAR_MATCH_BLOCK)])


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


def log_reply(result: LoggedFacts | AskedFacts | None, locale: str) -> Message:
    """What a log answers: what was stored, a "did you mean" question, or (None) that the question
    was answered already."""
    if result is None:
        return plain_notice(t(locale, "choice_expired"))
    if isinstance(result, AskedFacts):
        return did_you_mean(result.name, result.candidates, result.pending_id, locale)
    reply = logged(result, locale)
    # Its author may take it back for a while (bot/domain/corrections.py: the listener checks).
    return message(reply["text"], [*reply["blocks"], undo_actions(result.activity.id, locale)])


def account_edited(change: Edited, locale: str) -> Message:
    if change.field == "owner":
        return edited("edited_owner", locale, account=change.account, owner=mention(change.value or ""))
    if change.field == "segment" and change.value is None:
        return edited("edited_segment_cleared", locale, account=change.account)
    if change.field == "segment":
        return edited("edited_segment", locale, account=change.account, segment=change.value)
    if change.field == "contact" and change.value is None:
        return edited("edited_contact_cleared", locale, account=change.account)
    if change.field == "contact":
        return edited("edited_contact", locale, account=change.account, contact=change.value)
    return edited("edited_rename", locale, old=change.old, new=change.account)


def renewal_recorded(recorded: RenewalRecorded, locale: str, today: date | None = None) -> Message:
    """The date is kept, and the follow-up that comes back `lead` months before it, with why."""
    text = "✅ " + t(
        locale,
        "renewal_recorded_moved" if recorded.moved else "renewal_recorded",
        account=escape(recorded.account),
        kind=t(locale, f"renewal_kind_{recorded.kind.value}"),
        ends=fmt_date(recorded.ends_on, locale, today),
        months=recorded.lead_months,
        due=fmt_date(recorded.due.on, locale, today),
    )
    if recorded.due.moved:
        text += "\n" + moved_off_day(recorded.due.asked, locale, today)
    return plain_notice(text)


def followup_scheduled(account_name: str, due: Due, locale: str, today: date | None = None) -> Message:
    date_text = fmt_date(due.on, locale, today)
    text = "✅ " + t(locale, "followup_scheduled", account=escape(account_name), date=date_text)
    if due.moved:
        text += "\n" + moved_off_day(due.asked, locale, today)
    return plain_notice(text)


def followup_closed_line(note: str | None, due_on: date, locale: str, today: date | None) -> str:
    """A follow-up the log did, so the rep need not press Done as well."""
    what = user_text(note, ONE_NOTE_LIMIT) if note else t(locale, "followup_closed_default")
    return "☑️ " + t(locale, "followup_closed_by_log", what=what, date=fmt_date(due_on, locale, today))


def moved_off_day(asked: date, locale: str, today: date | None) -> str:
    """Why a follow-up is due on another day than asked: that day the team does not work."""
    return t(locale, "followup_moved_off_day", asked=fmt_date(asked, locale, today))


def followup_note(
    followup: FollowupFacts,
    snoozed: bool,
    user_id: str,
    zone: tzinfo,
    now: datetime,
    locale: str,
    moved_from: date | None = None,
) -> str:
    """The line that replaces a follow-up's buttons once pressed; `moved_from`: the day picked was a day
    off, and the line says why the follow-up is due on another."""
    if followup.done:
        # When it was done, not when this (maybe second) press came: the message keeps telling the truth.
        clock_time = (followup.done_at or now).astimezone(zone).strftime("%H:%M")
        return t(locale, "followup_done_note", user=mention(followup.done_by or user_id), time=clock_time)
    key = "followup_snoozed_note" if snoozed else "followup_moved_note"
    today = now.astimezone(zone).date()
    note = t(locale, key, date=fmt_date(followup.due_on, locale, today), user=mention(user_id))
    return note + ("\n" + moved_off_day(moved_from, locale, today) if moved_from is not None else "")


def followup_already_done(followup: FollowupFacts, user_id: str, locale: str) -> Message:
    return plain_notice(t(locale, "followup_already_done", user=mention(followup.done_by or user_id)))


def trouble_opened(recovery: RecoveryFacts, duplicate: bool, channel_told: bool, locale: str) -> Message:
    if duplicate:
        return plain_notice(t(locale, "trouble_duplicate"))
    text = t(
        locale,
        "trouble_opened",
        account=escape(recovery.account_name),
        what=escape(recovery.what),
        owner=mention(recovery.owner_id),
    )
    if channel_told:
        # Queued in the same transaction: the post is owed, and the ledger sees that it goes out.
        text += " " + t(locale, "trouble_channel_told")
    return plain_notice("🛟 " + text)


def recovery_note(recovery: RecoveryFacts, verdict: bool, user_id: str, clock_time: str, locale: str) -> str:
    """The line that replaces a recovery's buttons once pressed."""
    if verdict:
        return t(locale, "verdict_yes_note", user=mention(user_id), time=clock_time)
    label = t(locale, f"recovery_status_{recovery.status.value}")
    return t(locale, "recovery_moved_note", status=label, user=mention(user_id), time=clock_time)


def recovery_not_moved(recovery: RecoveryFacts, locale: str) -> Message:
    """A second press, or a press on a stale copy: harmless, and said so."""
    label = t(locale, f"recovery_status_{recovery.status.value}")
    return plain_notice(t(locale, "recovery_not_moved", status=label))


def verdict_not_yet_note(user_id: str, clock_time: str, locale: str) -> str:
    return t(locale, "verdict_not_yet_note", user=mention(user_id), time=clock_time)
