"""The preview of a message in plain words and its *Edit* modal stay inside Slack's limits, however many
items and unread sentences a long message gives, and however long their names and notes."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.extraction import AccountRef, Activity, Extraction, Followup, Trouble, Unread
from bot.domain.fields import MAX_NAME, MAX_NOTE
from bot.i18n import LOCALES, t
from bot.interactions import PREVIEW_ADD, PREVIEW_EDIT, preview_item_of, preview_item_value
from bot.usecases.freetext import PreviewFacts
from bot.views import modals
from bot.views.blocks import MESSAGE_BLOCKS
from bot.views.preview import UNREAD_BLOCKS, preview_message
from tests.support.blockkit import check_message, check_view

TODAY = date(2026, 11, 22)
LONG = "株式会社" + "長" * (MAX_NAME - 4)
PREVIEW_ID = "0" * 32


def heavy(activities: int = 60, unread: int = 10) -> Extraction:
    ref = AccountRef(LONG, suggestions=(LONG,))
    return Extraction(
        activities=tuple(
            Activity(ref, ActivityKind.MEAL, TODAY, 10**15, "メモ" * (MAX_NOTE // 2))
            for _ in range(activities)
        ),
        followups=(Followup(ref, TODAY, "x" * MAX_NOTE),),
        troubles=(Trouble(AccountRef(LONG), "y" * MAX_NOTE),),
        unread=tuple(Unread(f"{index}" + "読" * 2000, "no_account", "visit") for index in range(unread)),
    )


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("activities", "unread"), [(60, 10), (2, 10), (60, 0), (0, 5)])
def test_a_heavy_preview_fits_with_its_edit_and_add_buttons(
    activities: int, unread: int, locale: str
) -> None:
    message = preview_message(PreviewFacts(PREVIEW_ID, heavy(activities, unread), {}, True), locale, TODAY)
    check_message(message, "preview")
    assert len(message["blocks"]) <= MESSAGE_BLOCKS
    buttons = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    edits = [preview_item_of(b["value"]) for b in buttons if b["action_id"] == PREVIEW_EDIT]
    adds = [preview_item_of(b["value"]) for b in buttons if b["action_id"] == PREVIEW_ADD]
    assert edits and all(e.p == PREVIEW_ID for e in edits)
    assert len(adds) == min(unread, UNREAD_BLOCKS)
    left_out = activities + 2 - len(edits)
    contexts = [b["elements"][0]["text"] for b in message["blocks"] if b["type"] == "context"]
    assert (t(locale, "preview_more", count=left_out) in contexts) == (left_out > 0), contexts


@pytest.mark.parametrize("locale", LOCALES)
def test_every_edit_modal_fits(locale: str) -> None:
    extraction = heavy(1, 0)
    metadata = json.dumps(
        {**json.loads(preview_item_value(PREVIEW_ID, "activity", 0)), "r": "https://" + "h" * 900}
    )
    for item in extraction.items:
        check_view(modals.preview_item_modal(item, locale=locale, private_metadata=metadata), "edit")
