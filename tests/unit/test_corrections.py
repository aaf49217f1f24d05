"""The pure parts of corrections: who may undo, edit or delete and until when; which typed names
swallowed unread words; and the views (inside Slack's limits, in English and Japanese)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.corrections import UNDO_WINDOW, Refused, correction_refusal, undo_refusal
from bot.domain.stages import Climb, Step
from bot.domain.unread import unread_tail
from bot.usecases.facts import AccountFacts, ActivityFacts, CorrectedFacts, EditableFacts, Withdrawn
from bot.views import corrections as shown
from tests.support.blockkit import check_message, check_view

AT = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


# ------------------------------------------------------------------------------------------- rules


def test_the_author_may_undo_until_the_window_closes() -> None:
    assert undo_refusal(author="U1", user="U1", created_at=AT, now=AT, deleted=False) is None
    just_before = AT + UNDO_WINDOW - timedelta(seconds=1)
    assert undo_refusal(author="U1", user="U1", created_at=AT, now=just_before, deleted=False) is None
    at_end = AT + UNDO_WINDOW
    assert undo_refusal(author="U1", user="U1", created_at=AT, now=at_end, deleted=False) is Refused.TOO_LATE
    assert timedelta(hours=24) == UNDO_WINDOW


def test_undo_is_the_authors_and_a_second_press_is_already_done() -> None:
    assert undo_refusal(author="U1", user="U2", created_at=AT, now=AT, deleted=False) is Refused.NOT_YOURS
    assert undo_refusal(author="U1", user="U2", created_at=AT, now=AT, deleted=True) is Refused.ALREADY


@pytest.mark.parametrize(
    ("user", "manager", "deleted", "refused"),
    [
        ("U1", False, False, None),
        ("U2", True, False, None),
        ("U2", False, False, Refused.NOT_ALLOWED),
        ("U1", False, True, Refused.ALREADY),
    ],
)
def test_edit_and_delete_are_for_the_author_or_a_manager(
    user: str, manager: bool, deleted: bool, refused: Refused | None
) -> None:
    assert correction_refusal(author="U1", user=user, is_manager=manager, deleted=deleted) is refused


# ------------------------------------------------------------------------------------ unread words


@pytest.mark.parametrize(
    ("typed", "account", "tail"),
    [
        ("山田商事 昨日会食", "山田商事", "昨日会食"),
        ("山田商事昨日会食", "山田商事", "昨日会食"),
        ("ヤマダ商事 昨日会食", "山田商事", "昨日会食"),  # the same reading
        ("山田商事 本日訪問", "山田商事", "本日訪問"),
        ("Acme meal yesterday evening", "Acme", "meal yesterday evening"),
        ("Acme Tradin meal yesterday evening", "Acme Trading", "meal yesterday evening"),
        ("Acme Trading Japan", "Acme Trading", None),  # a longer name, not unread words
        ("Acme Foods", "Acme", None),
        ("Acme Tradin", "Acme Trading", None),  # a typo: asked about, as before
    ],
)
def test_unread_tail(typed: str, account: str, tail: str | None) -> None:
    assert unread_tail(typed, account, TODAY) == tail


# ------------------------------------------------------------------------------------------ views

ACCOUNT = AccountFacts(id=7, team_id="T1", name="Acme " + "x" * 200, owner_id="U1", current_step=Step.MET)
ACTIVITY = ActivityFacts(
    id=9, user_id="U1", kind=ActivityKind.WON, occurred_on=TODAY, amount=1_200_000, note="n" * 3000
)


def corrected(how: str = "undo") -> CorrectedFacts:
    return CorrectedFacts(
        how=how,  # type: ignore[arg-type]
        by="U1",
        account=ACCOUNT,
        activity=ACTIVITY,
        climb=Climb(Step.WON, Step.MET),
        followups_cancelled=1,
        withdrawn=(
            Withdrawn("C1", "1.2", "🎉 <@U1> moved *Acme* from Acquaintance to Customer (won deal)."),
        ),
        today=TODAY,
    )


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("how", ["undo", "delete", "edit"])
def test_the_correction_reply_fits_slack(locale: str, how: str) -> None:
    message = shown.corrected(corrected(how), locale)
    check_message(message)
    assert "1.3" in message["blocks"][0]["text"]["text"]


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_corrected_announcement_strikes_what_it_said(locale: str) -> None:
    message = shown.announcement_corrected(Withdrawn("C1", "1.2", "line one\nline two"), corrected(), locale)
    check_message(message)
    assert message["blocks"][0]["text"]["text"] == "~line one~\n~line two~"


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_modals_fit_slack_and_are_prefilled(locale: str) -> None:
    found = EditableFacts(
        ACCOUNT,
        ActivityFacts(
            id=9, user_id="U1", kind=ActivityKind.WON, occurred_on=TODAY, amount=5, note="n" * 3000
        ),
    )
    edit = shown.edit_modal(found, "C0SALES", locale)
    check_view(edit)
    kinds = next(b for b in edit["blocks"] if b.get("block_id") == "kind")["element"]
    assert [o["value"] for o in kinds["options"]] == ["proposed", "won", "lost"]
    check_view(shown.delete_modal(found, None, locale))
    touch = EditableFacts(
        ACCOUNT, ActivityFacts(id=9, user_id="U1", kind=ActivityKind.MEAL, occurred_on=TODAY)
    )
    blocks = {b.get("block_id") for b in shown.edit_modal(touch, None, locale)["blocks"]}
    assert "amount" not in blocks
