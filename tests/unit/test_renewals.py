"""Reading `/account … renewal …` and the day to come back (issue 12)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.fields import ParseError
from bot.domain.renewals import RenewalKind, RenewalRequest, come_back_on, parse_renewal

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme renewal lease 2027-06-30", RenewalRequest("Acme", RenewalKind.LEASE, date(2027, 6, 30), 3)),
        (
            "Acme renewal lease 2027-06-30 lead 6",
            RenewalRequest("Acme", RenewalKind.LEASE, date(2027, 6, 30), 6),
        ),
        (
            "Acme renew contract 6/30 lead 2 months",
            RenewalRequest("Acme", RenewalKind.CONTRACT, date(2027, 6, 30), 2),
        ),
        (
            "Acme renewal warranty 2027-06-30 4 months before",
            RenewalRequest("Acme", RenewalKind.WARRANTY, date(2027, 6, 30), 4),
        ),
        (
            '"Acme Japan" renewal budget 2027-03-31',
            RenewalRequest("Acme Japan", RenewalKind.BUDGET, date(2027, 3, 31), 3),
        ),
        (
            "山田商事 更新 リース 2027/6/30 3ヶ月前",
            RenewalRequest("山田商事", RenewalKind.LEASE, date(2027, 6, 30), 3),
        ),
        (
            "山田商事 更新 保守 2027年6月30日 2か月前",
            RenewalRequest("山田商事", RenewalKind.WARRANTY, date(2027, 6, 30), 2),
        ),
        (
            "「山田 商事」 満了 契約 6月30日",
            RenewalRequest("山田 商事", RenewalKind.CONTRACT, date(2027, 6, 30), 3),
        ),
        (
            "山田商事 更新 予算 3月 リード 4",
            RenewalRequest("山田商事", RenewalKind.BUDGET, date(2027, 3, 1), 4),
        ),
    ],
)
def test_renewals_as_reps_type_them(text: str, expected: RenewalRequest) -> None:
    assert parse_renewal(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["Acme", "Acme segment strategic", "Renewal Partners", "Renewal Partners owner <@U1>"]
)
def test_other_account_forms_are_not_renewals(text: str) -> None:
    assert parse_renewal(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Acme renewal", "renewal_kind"),
        ("Acme renewal boat 2027-06-30", "renewal_kind"),
        ("Acme renewal lease", "renewal_date"),
        ("Acme renewal lease soon", "bad_date"),
        ("Acme renewal lease 2026-11-22", "renewal_past"),
        ("Acme renewal lease 2027-06-30 lead 25", "renewal_lead"),
    ],
)
def test_renewals_written_wrong_say_what(text: str, code: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_renewal(text, TODAY)
    assert raised.value.code == code


def test_the_day_to_come_back() -> None:
    assert come_back_on(date(2027, 6, 30), 3, TODAY) == date(2027, 3, 30)
    assert come_back_on(date(2027, 5, 31), 3, TODAY) == date(2027, 2, 28)  # no 2/31: the month's end
    assert come_back_on(date(2027, 1, 15), 3, TODAY) == TODAY  # nearer than the lead: now
    assert come_back_on(date(2027, 6, 30), 0, TODAY) == date(2027, 6, 30)
