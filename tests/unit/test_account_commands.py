# Full-width characters are part of what these tests are about.
# ruff: noqa: RUF001
"""`/account` text → a manager's correction (bot/domain/parsing.py): step, merge, archive, restore, lost,
in English and Japanese; the edits and the card keep reading as before."""

from __future__ import annotations

import pytest

from bot.domain.parsing import (
    MAX_NOTE,
    AccountEdit,
    AccountQuery,
    MergeRequest,
    ParseError,
    StatusChange,
    StepSet,
    parse_account,
)
from bot.domain.stages import LADDER, Step


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("Acme step met -- dup", Step.MET),
        ("Acme step 1.3 -- dup", Step.MET),
        ("Acme step １．３ -- dup", Step.MET),  # full-width digits
        ("Acme STEP Won -- dup", Step.WON),
        ("Acme step met twice -- dup", Step.MET_TWICE),
        ("Acme step met_twice -- dup", Step.MET_TWICE),
        ("Acme ステップ 面談1回 -- 重複", Step.MET),
        ("Acme 段階 受注2件 -- 重複", Step.REPEAT),
        ("Acme ステップ リピーター -- 重複", Step.REPEATER),
        ("Acme ステップ 4.1 ー― 重複", Step.REPEATER),
    ],
)
def test_a_step_by_key_number_or_japanese_name(text: str, step: Step) -> None:
    found = parse_account(text)
    assert isinstance(found, StepSet)
    assert (found.account, found.step) == ("Acme", step)
    assert found.reason in ("dup", "重複")


def test_every_step_is_reachable_by_key_and_by_number() -> None:
    for step in LADDER:
        by_key = parse_account(f"Acme step {step.value} -- why")
        by_number = parse_account(f"Acme step {step.label} -- why")
        assert isinstance(by_key, StepSet) and isinstance(by_number, StepSet)
        assert by_key.step == by_number.step == step


def test_the_reason_keeps_what_follows_the_separator() -> None:
    found = parse_account("山田商事様 step won -- 注文書が紙で届いた -- 経理確認済み")
    assert found == StepSet(account="山田商事", step=Step.WON, reason="注文書が紙で届いた -- 経理確認済み")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Acme step won", "reason_required"),
        ("Acme step won --   ", "reason_required"),
        ("Acme step -- because", "step_missing"),
        ("Acme step top -- because", "step_unknown"),
        ("Acme step 5.1 -- because", "step_unknown"),
        ("Acme lost", "reason_required"),
        ("Acme 離反", "reason_required"),
        ("Acme merge", "merge_missing_other"),
        ("Acme 統合", "merge_missing_other"),
    ],
)
def test_bad_corrections_are_refused(text: str, code: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_account(text)
    assert raised.value.code == code


def test_a_too_long_reason_is_refused_not_cut() -> None:
    with pytest.raises(ParseError) as raised:
        parse_account("Acme step met -- " + "x" * (MAX_NOTE + 1))
    assert raised.value.code == "note_too_long"


@pytest.mark.parametrize(
    ("text", "account", "other", "reason"),
    [
        ('Acme merge "Acme Japan"', "Acme", "Acme Japan", None),
        ("Acme merge Acme Japan -- one company", "Acme", "Acme Japan", "one company"),
        ('"Acme Holdings" merge "Acme Japan"', "Acme Holdings", "Acme Japan", None),
        ("「山田商事」 統合 「ヤマダ商事」", "山田商事", "ヤマダ商事", None),
        ("山田商事 名寄せ ヤマダ商事様", "山田商事", "ヤマダ商事", None),
        ("山田商事 マージ ヤマダ商事 -- 同じ会社", "山田商事", "ヤマダ商事", "同じ会社"),
        ('Acme merge "Step Up Inc"', "Acme", "Step Up Inc", None),
    ],
)
def test_merge(text: str, account: str, other: str, reason: str | None) -> None:
    assert parse_account(text) == MergeRequest(account=account, other=other, reason=reason)


@pytest.mark.parametrize(
    ("text", "verb", "reason"),
    [
        ("Acme archive", "archive", None),
        ("Acme アーカイブ -- 事業所閉鎖", "archive", "事業所閉鎖"),
        ("Acme restore", "restore", None),
        ("Acme 復元", "restore", None),
        ("Acme 戻す", "restore", None),
        ("Acme lost -- moved to a competitor", "lost", "moved to a competitor"),
        ("Acme 離反 -- 他社に切り替え", "lost", "他社に切り替え"),
        ("Acme 喪失 -- 倒産", "lost", "倒産"),
    ],
)
def test_status_changes(text: str, verb: str, reason: str | None) -> None:
    assert parse_account(text) == StatusChange(account="Acme", verb=verb, reason=reason)  # type: ignore[arg-type]


def test_the_deal_outcome_word_is_not_a_status() -> None:
    # 失注 is a lost deal (/deal), not a customer who left: here it is part of a name.
    assert parse_account("Acme 失注") == AccountQuery(account="Acme 失注")


@pytest.mark.parametrize(
    "text",
    [
        "Big Step Co",  # "step" with no step after it and no reason: a name
        "Acme Lost Souls",  # "lost" not at the end
        "Archive Partners",  # the first word is always a name
        "Restore Co Ltd",
        '"Paradise Lost"',  # quoted: never a keyword
        "Acme step",  # nothing after "step" and no ` -- `: a name
    ],
)
def test_names_that_contain_correction_words(text: str) -> None:
    assert isinstance(parse_account(text), AccountQuery)


def test_the_edits_keep_working() -> None:
    assert parse_account("Acme rename Acme Archive") == AccountEdit(
        account="Acme", field="rename", value="Acme Archive"
    )
    assert parse_account("Acme segment lost") == AccountEdit(account="Acme", field="segment", value="lost")
    assert parse_account("Acme owner <@U0REP2|suzuki>") == AccountEdit(
        account="Acme", field="owner", value="U0REP2"
    )
    assert parse_account("Acme Corp") == AccountQuery(account="Acme Corp")
