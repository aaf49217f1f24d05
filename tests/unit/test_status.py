"""The status rules (bot/domain/status.py) and what the views say beside the pyramid."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.pyramid import Distribution
from bot.domain.stages import Stage, Step
from bot.domain.status import AccountStatus, OutsideCounts, StatusMove, status_after_log
from bot.views.blocks import message
from bot.views.pyramid import outside_blocks
from tests.support.blockkit import check_message

A, L, AR, M = AccountStatus.ACTIVE, AccountStatus.LOST, AccountStatus.ARCHIVED, AccountStatus.MERGED
REVISIT = date(2027, 4, 1)


@pytest.mark.parametrize(
    ("stored", "kind", "deals_won", "revisit", "move"),
    [
        (A, ActivityKind.LOST, 1, None, StatusMove.LOST),  # a former customer's final no
        (A, ActivityKind.LOST, 1, REVISIT, None),  # a timing answer: stays active
        (A, ActivityKind.LOST, 0, None, None),  # never a customer: a lost deal, not a lost account
        (A, ActivityKind.VISIT, 3, None, None),
        (L, ActivityKind.CALL, 1, None, StatusMove.REACTIVATED),
        (L, ActivityKind.PROPOSED, 0, None, StatusMove.REACTIVATED),
        (L, ActivityKind.WON, 1, None, StatusMove.REACTIVATED),
        (L, ActivityKind.LOST, 1, REVISIT, StatusMove.REACTIVATED),  # talking about when again
        (L, ActivityKind.LOST, 1, None, None),  # one more no: stays lost
        (AR, ActivityKind.VISIT, 1, None, None),  # a manager's business
        (AR, ActivityKind.LOST, 1, None, None),
        (M, ActivityKind.VISIT, 1, None, None),
    ],
)
def test_status_after_log(
    stored: AccountStatus, kind: ActivityKind, deals_won: int, revisit: date | None, move: StatusMove | None
) -> None:
    assert status_after_log(stored, kind, deals_won, revisit) is move


def _dist(dormant: int, lost: int, archived: int) -> Distribution:
    return Distribution(
        by_step={Step.MET: 2},
        outside=OutsideCounts(
            dormant={Stage.CUSTOMER: dormant, Stage.ACQUAINTANCE: 0},
            lost={Stage.REPEATER: lost},
            archived={Stage.PROSPECT: archived},
        ),
    )


def test_nothing_beside_a_pyramid_of_active_accounts() -> None:
    assert outside_blocks(Distribution(by_step={Step.MET: 2}), "en", everything=True) == []


def test_the_archived_alone_are_counted_but_are_no_win_back_candidates() -> None:
    [line] = outside_blocks(_dist(0, 0, 4), "en", everything=True)
    assert line["elements"][0]["text"] == "6 accounts in all: 2 active, 0 dormant, 0 lost, 4 archived."


@pytest.mark.parametrize(
    ("locale", "win_back", "everything"),
    [
        (
            "en",
            "🔁 Beside the pyramid: 12 dormant (stage 3: 12), 3 lost (stage 4: 3) — win-back candidates"
            " (a short letter restarts more business than a cold call).",
            "17 accounts in all: 2 active, 12 dormant, 3 lost, 0 archived.",
        ),
        (
            "ja",
            "🔁 ピラミッドの外：休眠 12社（ステージ別 3: 12）、離反 3社（ステージ別 4: 3）。"
            "掘り起こしの候補です（短いお便り一通が、飛び込み営業より多くの商談を呼び戻します）。",
            "取引先は全部で17社：アクティブ 2社、休眠 12社、離反 3社、アーカイブ済み 0社。",
        ),
    ],
)
def test_the_win_back_line_in_both_languages(locale: str, win_back: str, everything: str) -> None:
    blocks = outside_blocks(_dist(12, 3, 0), locale, everything=True)
    assert [block["elements"][0]["text"] for block in blocks] == [win_back, everything]
    assert [block["elements"][0]["text"] for block in outside_blocks(_dist(12, 3, 0), locale)] == [win_back]
    check_message(message(win_back, blocks))
