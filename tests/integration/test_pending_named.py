"""Parked `/followup` and `/trouble` questions (bot/services/pending.py): taken back once, only as
their own kind; a log's question is never answered as a follow-up's, nor the reverse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.services import pending
from bot.services.accounts import AccountRef

TEAM = "T0TEAM1"
NOW = datetime(2026, 11, 22, 1, tzinfo=UTC)


@pytest.mark.parametrize("what", ["followup", "trouble"])
def test_taken_once_with_its_fields(db: Database, what: pending.Named) -> None:
    fields = {"due_on": "2026-12-04", "note": "電話する"} if what == "followup" else {"what": "納期遅れ"}
    with db.transaction() as session:
        parked = pending.park_named(session, TEAM, "U0REP1", what, fields, request_key="command:k1", now=NOW)
    with db.transaction() as session:
        assert pending.take_named(session, "T0OTHER", parked.id, what) is None  # another team's
        taken = pending.take_named(session, TEAM, parked.id, what)
        assert taken == pending.ParkedNamed(user_id="U0REP1", request_key="command:k1", fields=fields)
    with db.transaction() as session:
        assert pending.take_named(session, TEAM, parked.id, what) is None


@pytest.mark.parametrize(("parked_as", "taken_as"), [("followup", "trouble"), ("trouble", "followup")])
def test_never_taken_as_another_kind(db: Database, parked_as: pending.Named, taken_as: pending.Named) -> None:
    with db.transaction() as session:
        parked = pending.park_named(session, TEAM, "U0REP1", parked_as, {}, request_key="k", now=NOW)
    with db.transaction() as session:
        assert pending.take_named(session, TEAM, parked.id, taken_as) is None


def test_a_followup_question_is_not_a_log_question(db: Database) -> None:
    with db.transaction() as session:
        parked = pending.park_named(session, TEAM, "U0REP1", "followup", {}, request_key="k", now=NOW)
    with db.transaction() as session:
        assert pending.take(session, TEAM, parked.id, AccountRef(account_id=1)) is None


def test_old_questions_are_forgotten(db: Database) -> None:
    with db.transaction() as session:
        old = pending.park_named(session, TEAM, "U0REP1", "trouble", {}, request_key="k1", now=NOW)
    later = NOW + pending.KEEP_FOR + timedelta(minutes=1)
    with db.transaction() as session:
        pending.park_named(session, TEAM, "U0REP1", "trouble", {}, request_key="k2", now=later)
    with db.transaction() as session:
        assert pending.take_named(session, TEAM, old.id, "trouble") is None
