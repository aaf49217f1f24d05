"""Corrections of a logged activity (SPEC §2): *Undo* on a log's reply, *Edit* and *Delete* on the account
card. Each is one transaction: the account row locked before its activities are read (corrections.
locked_activity), the rule of who may correct checked on what was read (bot/domain/corrections.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.domain import corrections as rules
from bot.domain.fields import LogFields
from bot.models import Account, Activity
from bot.runtime import Runtime
from bot.services import corrections, managers
from bot.services.errors import UserFacingError
from bot.usecases.facts import AccountFacts, ActivityFacts, CorrectedFacts, EditableFacts, How


def undo(runtime: Runtime, team_id: str, user_id: str, activity_id: int, *, today: date) -> CorrectedFacts:
    """*Undo*: its author only, within the window; a second press says it is undone already."""

    def work(session: Session) -> CorrectedFacts:
        account, activity = corrections.locked_activity(session, team_id, activity_id)
        now = runtime.clock.now()
        _refuse(
            rules.undo_refusal(
                author=activity.user_id,
                user=user_id,
                created_at=activity.created_at,
                now=now,
                deleted=activity.deleted_at is not None,
            )
        )
        return _facts(
            "undo", user_id, _remove(session, runtime, account, activity, "undo", user_id, today), today
        )

    return runtime.store(work)


def delete(runtime: Runtime, team_id: str, user_id: str, activity_id: int, *, today: date) -> CorrectedFacts:
    """*Delete* (confirmed in its modal): the author or a manager."""

    def work(session: Session) -> CorrectedFacts:
        account, activity = corrections.locked_activity(session, team_id, activity_id)
        _check_may_correct(session, runtime, team_id, user_id, activity)
        return _facts(
            "delete", user_id, _remove(session, runtime, account, activity, "delete", user_id, today), today
        )

    return runtime.store(work)


def edit(
    runtime: Runtime, team_id: str, user_id: str, activity_id: int, changed: LogFields, *, today: date
) -> CorrectedFacts:
    """*Edit*'s modal submitted, its fields checked like a log's (`fields.check_log`)."""

    def work(session: Session) -> CorrectedFacts:
        account, activity = corrections.locked_activity(session, team_id, activity_id)
        _check_may_correct(session, runtime, team_id, user_id, activity)
        done = corrections.edit(
            session,
            account,
            activity,
            changed,
            user_id=user_id,
            now=runtime.clock.now(),
            today=today,
            threshold=runtime.settings.pyramid_repeater_threshold,
        )
        return _facts("edit", user_id, done, today)

    return runtime.store(work)


def editable(runtime: Runtime, team_id: str, user_id: str, activity_id: int) -> EditableFacts:
    """The activity to show in the edit or delete modal, refused early to whoever may not correct it."""

    def work(session: Session) -> EditableFacts:
        account, activity = corrections.readable_activity(session, team_id, activity_id)
        _check_may_correct(session, runtime, team_id, user_id, activity)
        return EditableFacts(AccountFacts.of(account), ActivityFacts.of(activity))

    return runtime.query(work)


def _check_may_correct(
    session: Session, runtime: Runtime, team_id: str, user_id: str, activity: Activity
) -> None:
    manager = activity.user_id != user_id and managers.is_manager(
        session, team_id, user_id, runtime.team_config(team_id).managers
    )
    _refuse(
        rules.correction_refusal(
            author=activity.user_id, user=user_id, is_manager=manager, deleted=activity.deleted_at is not None
        )
    )


def _refuse(refused: rules.Refused | None) -> None:
    if refused is not None:
        raise UserFacingError(f"correction_{refused.value}")


def _remove(
    session: Session,
    runtime: Runtime,
    account: Account,
    activity: Activity,
    how: corrections.Removal,
    user_id: str,
    today: date,
) -> corrections.Corrected:
    return corrections.remove(
        session,
        account,
        activity,
        how=how,
        user_id=user_id,
        now=runtime.clock.now(),
        today=today,
        threshold=runtime.settings.pyramid_repeater_threshold,
    )


def _facts(how: How, user_id: str, done: corrections.Corrected, today: date) -> CorrectedFacts:
    return CorrectedFacts(
        how=how,
        by=user_id,
        account=AccountFacts.of(done.account),
        activity=ActivityFacts.of(done.activity),
        climb=done.climb,
        followups_cancelled=done.followups_cancelled,
        withdrawn=done.withdrawn,
        today=today,
    )
