"""Win-back's pure parts (issue 12, part 4): lost reasons, the `letter` kind's words, the contact, segments,
lapse days per segment, and the letter's text in English and Japanese."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.config import Settings
from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.fields import FieldErrors, LogDraft, ParseError
from bot.domain.lapse import (
    DEFAULT_RULES,
    Lapse,
    LapseRules,
    SegmentLapse,
    lapse_of,
    lapsing_cutoff,
    parse_segment_lapse,
)
from bot.domain.parsing import AccountEdit, parse_account, parse_deal, parse_meeting
from bot.domain.segments import Segment, is_segment, strategic_first
from bot.domain.stages import Stage, Step
from bot.domain.status import AccountStatus
from bot.domain.winback import (
    LastTogether,
    LostReason,
    last_together,
    reason_of,
    segment_after_loss,
    wants_winback,
)
from bot.usecases.facts import AccountFacts, WinbackDraft
from bot.views.winback import addressee, draft_message, letter_text

TODAY = date(2026, 11, 22)


# ------------------------------------------------------------------------------------------- reasons


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Acme lost price", LostReason.PRICE),
        ("Acme lost timing", LostReason.TIMING),
        ("Acme lost competitor", LostReason.COMPETITOR),
        ("Acme lost no-need", LostReason.NO_NEED),
        ("Acme lost other", LostReason.OTHER),
        ("Acme lost Competitor 1.2M 2026-11-20", LostReason.COMPETITOR),
        ("Acme lost 1.2M competitor revisit 2027-04-01", LostReason.COMPETITOR),
        ("アクメ商事 失注 価格", LostReason.PRICE),
        ("アクメ商事 失注 時期", LostReason.TIMING),
        ("アクメ商事 失注 タイミング", LostReason.TIMING),
        ("アクメ商事 失注 時期・タイミング", LostReason.TIMING),
        ("アクメ商事 失注 競合 昨日", LostReason.COMPETITOR),
        ("アクメ商事 失注 不要", LostReason.NO_NEED),
        ("アクメ商事 失注 ニーズなし", LostReason.NO_NEED),
        ("アクメ商事 失注 その他", LostReason.OTHER),
        ("アクメ商事 見送り ＰＲＩＣＥ", LostReason.PRICE),  # full-width letters
    ],
)
def test_a_lost_deal_takes_a_reason(text: str, reason: LostReason) -> None:
    deal = parse_deal(text, TODAY)
    assert deal.outcome is ActivityKind.LOST and deal.lost_reason is reason
    assert deal.account in ("Acme", "アクメ商事")


def test_no_reason_is_unknown_never_guessed() -> None:
    assert parse_deal("Acme lost 2026-11-20", TODAY).lost_reason is None
    assert parse_deal("Acme lost -- they chose a competitor", TODAY).lost_reason is None


@pytest.mark.parametrize("text", ["Acme lost cheap", "Acme lost price timing", "アクメ商事 失注 高い"])
def test_a_word_that_is_no_reason_is_refused(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_deal(text, TODAY)
    assert error.value.code == "bad_lost_reason"


def test_a_reason_goes_with_a_lost_deal_only() -> None:
    with pytest.raises(ParseError) as error:
        parse_deal("Acme won price", TODAY)
    assert error.value.code == "reason_needs_lost"
    with pytest.raises(FieldErrors) as errors:
        fields.check_log(LogDraft("deal", "Acme", ActivityKind.WON, lost_reason=LostReason.PRICE), TODAY)
    assert set(errors.value.errors) == {"lost_reason"}
    checked = fields.check_log(
        LogDraft("deal", "Acme", ActivityKind.LOST, lost_reason=LostReason.PRICE), TODAY
    )
    assert checked.lost_reason is LostReason.PRICE


def test_reason_words_are_folded() -> None:
    assert reason_of("ＣＯＭＰＥＴＩＴＯＲ") is LostReason.COMPETITOR
    assert reason_of("競合") is LostReason.COMPETITOR
    assert reason_of("cheap") is None


# ---------------------------------------------------------------------------------- the letter kind


@pytest.mark.parametrize(
    "word", ["letter", "postcard", "手紙", "はがき", "ハガキ", "葉書", "お便り", "礼状", "LETTER"]
)
def test_letter_words_log_a_letter(word: str) -> None:
    touch = parse_meeting(f"Acme {word} yesterday", TODAY)
    assert touch.kind is ActivityKind.LETTER and touch.account == "Acme"


def test_a_letter_is_a_remote_touch() -> None:
    assert ActivityKind.LETTER.is_touch and ActivityKind.LETTER.is_remote
    assert not ActivityKind.LETTER.is_in_person and not ActivityKind.LETTER.is_deal


# -------------------------------------------------------------------------------------- the contact


@pytest.mark.parametrize(
    ("text", "account", "value"),
    [
        ("Acme contact Mr Yamada", "Acme", "Mr Yamada"),
        ("アクメ商事 窓口 山田部長", "アクメ商事", "山田部長"),
        ("アクメ商事 先方担当者 山田", "アクメ商事", "山田"),
        ("Acme contact none", "Acme", "none"),
    ],
)
def test_the_contact_is_an_account_edit(text: str, account: str, value: str) -> None:
    assert parse_account(text) == AccountEdit(account=account, field="contact", value=value)


def test_tanto_stays_the_owner_and_a_long_contact_is_refused() -> None:
    assert parse_account("アクメ商事 担当者 <@U0REP2>") == AccountEdit("アクメ商事", "owner", "U0REP2")
    with pytest.raises(ParseError) as error:
        parse_account("Acme contact " + "x" * (fields.MAX_CONTACT + 1))
    assert error.value.code == "contact_too_long"


# --------------------------------------------------------------------------------------- segments


def test_segments_are_compared_folded() -> None:
    assert is_segment("Strategic", Segment.STRATEGIC)
    assert is_segment(" ＳＴＲＡＴＥＧＩＣ ", Segment.STRATEGIC)
    assert not is_segment("strategic partner", Segment.STRATEGIC)
    assert not is_segment(None, Segment.LOST)


def test_strategic_first_keeps_each_groups_order() -> None:
    items = [("a", None), ("b", "strategic"), ("c", "skeptic"), ("d", "Strategic")]
    assert [name for name, _ in strategic_first(items, lambda item: item[1])] == ["b", "d", "a", "c"]


def test_a_loss_to_a_competitor_files_an_account_without_segment_as_lost() -> None:
    assert segment_after_loss(None, LostReason.COMPETITOR) is Segment.LOST
    assert segment_after_loss("", LostReason.COMPETITOR) is Segment.LOST
    assert segment_after_loss("strategic", LostReason.COMPETITOR) is None
    assert segment_after_loss(None, LostReason.PRICE) is None
    assert segment_after_loss(None, None) is None


@pytest.mark.parametrize(
    ("segment", "status", "won", "expected"),
    [
        (None, AccountStatus.DORMANT, 1, True),
        (None, AccountStatus.LOST, 2, True),
        (None, AccountStatus.ACTIVE, 3, False),
        (None, AccountStatus.LOST, 0, False),
        ("lost", AccountStatus.ACTIVE, 0, True),
        ("strategic", AccountStatus.ARCHIVED, 1, False),
    ],
)
def test_who_gets_win_back_advice(
    segment: str | None, status: AccountStatus, won: int, expected: bool
) -> None:
    assert wants_winback(segment, status, won) is expected


def test_the_last_thing_done_together() -> None:
    assert last_together([]) is None
    assert last_together([(ActivityKind.LOST, date(2026, 1, 1))]) is None
    found = last_together(
        [
            (ActivityKind.WON, date(2025, 10, 15)),
            (ActivityKind.VISIT, date(2025, 11, 1)),
            (ActivityKind.MEAL, date(2025, 11, 1)),
            (ActivityKind.LOST, date(2026, 11, 20)),  # not a memory to recall
        ]
    )
    assert found == LastTogether(ActivityKind.MEAL, date(2025, 11, 1))


# ----------------------------------------------------------------------------------- lapse per segment


def test_the_lapse_setting_is_read_into_segment_days() -> None:
    assert parse_segment_lapse("") == ()
    assert parse_segment_lapse("strategic=prospect:20,customer:45; Skeptic=customer:120") == (
        SegmentLapse("strategic", prospect_days=20, customer_days=45),
        SegmentLapse("skeptic", customer_days=120),
    )


@pytest.mark.parametrize(
    "text",
    [
        "strategic",
        "strategic=prospect",
        "strategic=lead:20",
        "strategic=prospect:0",
        "a=prospect:5;a=customer:9",
    ],
)
def test_a_malformed_lapse_setting_is_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="PYRAMID_SEGMENT_LAPSE_DAYS|strategic=|days"):
        Settings(_env_file=None, pyramid_segment_lapse_days=text)  # type: ignore[call-arg]


def test_the_setting_becomes_the_lapse_rules() -> None:
    settings = Settings(_env_file=None, pyramid_segment_lapse_days="strategic=prospect:20")  # type: ignore[call-arg]
    assert settings.lapse_rules == LapseRules(by_segment=(SegmentLapse("strategic", prospect_days=20),))
    assert Settings(_env_file=None).lapse_rules == DEFAULT_RULES  # type: ignore[call-arg]


def test_the_lapse_rule_honours_the_segments_days() -> None:
    rules = LapseRules(by_segment=(SegmentLapse("strategic", prospect_days=20, customer_days=45),))
    assert lapse_of(Stage.PROSPECT, 25, rules, "strategic") is Lapse.NUDGE
    assert lapse_of(Stage.PROSPECT, 25, rules, "Strategic") is Lapse.NUDGE
    assert lapse_of(Stage.PROSPECT, 25, rules, None) is None  # the default 30 days
    assert lapse_of(Stage.PROSPECT, 25, rules, "skeptic") is None
    assert lapse_of(Stage.CUSTOMER, 50, rules, "strategic") is Lapse.NUDGE
    assert lapse_of(Stage.CUSTOMER, 50, rules) is None  # the default 60 days
    assert lapse_of(Stage.CUSTOMER, 95, rules, "strategic") is Lapse.DORMANT  # dormant point unchanged
    # The database's cutoff reads the fewest days of any segment; the rule then decides.
    assert lapsing_cutoff(TODAY, Stage.PROSPECT, rules) == date(2026, 11, 2)
    assert lapsing_cutoff(TODAY, Stage.PROSPECT, DEFAULT_RULES) == date(2026, 10, 23)


def test_default_lapse_behaviour_is_unchanged() -> None:
    for days in range(0, 400, 7):
        for stage in Stage:
            assert lapse_of(stage, days, DEFAULT_RULES, "strategic") == lapse_of(stage, days)


# -------------------------------------------------------------------------------------------- letter


def draft(name: str, contact: str | None, last: LastTogether | None) -> WinbackDraft:
    account = AccountFacts(
        id=7,
        team_id="T0TEAM1",
        name=name,
        owner_id="U0REP1",
        current_step=Step.WON,
        deals_won=1,
        contact=contact,
    )
    return WinbackDraft(account=account, last=last, draft_key="trig.1")


ORDER = LastTogether(ActivityKind.WON, date(2025, 10, 15))


def test_the_english_letter_names_the_contact_and_the_last_order() -> None:
    text = letter_text(draft("Acme", "Mr Yamada", ORDER), "en")
    assert text.startswith("Acme\nAttn: Mr Yamada\n\nDear Mr Yamada,\n\n")
    assert "Thank you again for the order you placed with us in October 2025." in text
    assert text.rstrip().endswith("Kind regards,")


def test_the_english_letter_without_a_contact_addresses_the_team() -> None:
    text = letter_text(draft("Acme", None, LastTogether(ActivityKind.VISIT, date(2026, 3, 2))), "en")
    assert text.startswith("Acme\n\nDear Acme team,")
    assert "when we met in March 2026" in text


@pytest.mark.parametrize("kind", [kind for kind in ActivityKind if kind is not ActivityKind.LOST])
def test_the_japanese_letter_is_polite_japanese_only(kind: ActivityKind) -> None:
    text = letter_text(draft("丸山印刷", "山田", LastTogether(kind, date(2025, 10, 15))), "ja")
    assert text.startswith("丸山印刷\n山田様\n")
    assert "2025年10月" in text
    assert "ご無沙汰しております" in text and "よろしくお願い申し上げます" in text
    assert not re.search(r"[A-Za-z]", text), text


def test_the_japanese_letter_recalls_the_order_and_addresses_politely() -> None:
    text = letter_text(draft("丸山印刷", None, ORDER), "ja")
    assert text.startswith("丸山印刷\nご担当者様\n")
    assert "その節は2025年10月にご発注をいただき、誠にありがとうございました。" in text
    assert "平素より" in letter_text(draft("丸山印刷", None, None), "ja")


@pytest.mark.parametrize(
    ("contact", "locale", "expected"),
    [
        ("山田", "ja", "山田様"),
        ("山田部長", "ja", "山田部長"),
        ("山田様", "ja", "山田様"),
        ("Mr Yamada", "en", "Mr Yamada"),
    ],
)
def test_the_addressee(contact: str, locale: str, expected: str) -> None:
    assert addressee(contact, locale) == expected


def test_the_draft_message_carries_log_as_sent_with_its_draft() -> None:
    message = draft_message(draft("Acme <b>", "Mr Yamada", ORDER), "en")
    [letter] = [b for b in message["blocks"] if b["type"] == "section" and b["text"]["type"] == "plain_text"]
    assert "Acme <b>" in letter["text"]["text"]  # plain text: copied exactly as the name is
    [actions] = [b for b in message["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "winback_log_sent"
    assert actions["elements"][0]["value"] == '{"a":7,"d":"trig.1"}'
