"""The status rules (bot/domain/status.py) and what the views say beside the pyramid."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.pyramid import Distribution
from bot.domain.stages import Stage, Step
from bot.domain.status import AccountStatus, OutsideCounts, StatusMove, status_after_log
from bot.usecases.facts import AccountCard, AccountFacts
from bot.views.blocks import message
from bot.views.card import account_card
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


def _card(status: AccountStatus, since: date | None, quiet_days: int) -> AccountCard:
    account = AccountFacts(id=1, team_id="T0", name="Acme", owner_id="U0", current_step=Step.WON)
    return AccountCard(account, [], 0, status=status, status_since=since, quiet_days=quiet_days)


@pytest.mark.parametrize(
    ("card", "locale", "line"),
    [
        (_card(A, None, 400), "en", None),
        (
            _card(AccountStatus.DORMANT, date(2026, 10, 1), 400),
            "en",
            "💤 Dormant since 2026-10-01 (Thu): no touch for 400 days. A short letter can restart it.",
        ),
        (
            _card(AccountStatus.DORMANT, date(2026, 10, 1), 400),
            "ja",
            "💤 10/1(木)から休眠中：400日間接触がありません。短いお便りで再開のきっかけを。",
        ),
        (
            _card(L, date(2026, 11, 20), 2),
            "en",
            "❌ Lost since 2026-11-20 (Fri): outside the pyramid until the next touch.",
        ),
        (_card(L, None, 2), "ja", "❌ 離反：次に接触するまでピラミッドの外です。"),
        (_card(AR, date(2026, 11, 20), 2), "ja", "🗄 アーカイブ済み（11/20(金)）：どこにも集計されません。"),
    ],
)
def test_the_card_says_why_an_account_is_out_of_the_pyramid(
    card: AccountCard, locale: str, line: str | None
) -> None:
    shown = account_card(card, date(2026, 11, 22), locale)
    check_message(shown)
    texts = [e["text"] for b in shown["blocks"] if b["type"] == "context" for e in b["elements"]]
    status_lines = [text for text in texts if text.startswith(("💤", "❌", "🗄"))]
    assert status_lines == ([line] if line else [])
