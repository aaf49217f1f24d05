"""Block Kit checked offline: every message and view the bot builds, in both languages, through
slack_sdk's own models (which know Slack's block types and length limits), plus a few contents."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.followups import AFTER_SALE_DAYS
from bot.domain.parsing import MAX_NAME, MAX_NOTE
from bot.domain.pyramid import distribution_from, health
from bot.domain.stages import LADDER, Climb, Stage, Step
from bot.i18n import LOCALES, en, period, t
from bot.usecases.facts import AccountCard, AccountFacts, ActivityFacts, LoggedFacts
from bot.views import card, modals, pyramid, replies
from bot.views.blocks import escape, plain
from tests.support.blockkit import check_message, check_view
from tests.support.rows import account_row, activity_row
from tests.support.slack_driver import drawn_pyramid

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
LONG_NAME = "Ｌｏｎｇ" + "N" * (MAX_NAME - 4)  # full-width on purpose: NFKC'd names are what is stored
LONG_NOTE = ("Met the new IT manager & talked <budget>. " * 40)[:MAX_NOTE]


def make_account(**changes: Any) -> AccountFacts:
    return AccountFacts.of(account_row(**changes))


def make_activity(**changes: Any) -> ActivityFacts:
    return ActivityFacts.of(activity_row(**changes))


# ------------------------------------------------------------------------------------- checkers


def check_option(option: dict[str, Any]) -> None:
    """An option as Slack gets it: inside a static select, checked with the strict checker."""
    select = {"type": "static_select", "action_id": "pick", "placeholder": plain("Pick"), "options": [option]}
    check_message(
        {"text": "pick", "blocks": [{"type": "section", "text": plain("Pick"), "accessory": select}]}
    )


def all_text(obj: object) -> str:
    """Every string in a message or view (texts, values, ids), one per line."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, Mapping):
        return "\n".join(all_text(value) for value in obj.values())
    if isinstance(obj, list | tuple):
        return "\n".join(all_text(value) for value in obj)
    return ""


def _logged(
    kind: ActivityKind,
    before: Step,
    after: Step,
    *,
    created: bool = False,
    duplicate: bool = False,
    **activity: Any,
) -> LoggedFacts:
    account = make_account(step=after.value, **activity.pop("account", {}))
    return LoggedFacts(
        account=account,
        activity=make_activity(kind=kind.value, **activity),
        climb=Climb(before=before, after=after),
        created_account=created,
        duplicate=duplicate,
    )


# ------------------------------------------------------------------------------ replies.logged

LOGGED_CASES = {
    "touch, one step": lambda: _logged(ActivityKind.VISIT, Step.REMOTE, Step.MET),
    "touch, new stage": lambda: _logged(ActivityKind.VISIT, Step.MET, Step.MET_TWICE),
    "touch, unchanged": lambda: _logged(ActivityKind.CALL, Step.WON, Step.WON, note=None),
    "meal skipping steps": lambda: _logged(ActivityKind.MEAL, Step.NAME_ONLY, Step.DINED, created=True),
    "deal won, created, skipped": lambda: _logged(
        ActivityKind.WON, Step.NAME_ONLY, Step.WON, created=True, amount=1_200_000, note="first order"
    ),
    "deal to repeater": lambda: _logged(ActivityKind.WON, Step.REPEAT, Step.REPEATER, amount=5_000),
    "deal proposed": lambda: _logged(ActivityKind.PROPOSED, Step.DINED, Step.PROPOSED, amount=None),
    "deal lost with revisit": lambda: _logged(
        ActivityKind.LOST, Step.PROPOSED, Step.PROPOSED, amount=3_000_000, revisit_on=date(2027, 4, 1)
    ),
    "duplicate": lambda: _logged(ActivityKind.VISIT, Step.MET, Step.MET, duplicate=True),
    "long name and note": lambda: _logged(
        ActivityKind.WON,
        Step.NAME_ONLY,
        Step.WON,
        created=True,
        amount=10**15,
        note=LONG_NOTE,
        account={"name": LONG_NAME},
    ),
    "note of ampersands": lambda: _logged(ActivityKind.VISIT, Step.MET, Step.MET_TWICE, note="&" * MAX_NOTE),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", sorted(LOGGED_CASES))
def test_logged_replies_are_valid(case: str, locale: str) -> None:
    result = LOGGED_CASES[case]()
    msg = replies.logged(result, locale)
    check_message(msg)


@pytest.mark.parametrize("locale", LOCALES)
def test_logged_says_what_was_stored_the_step_and_the_change(locale: str) -> None:
    result = LOGGED_CASES["deal won, created, skipped"]()
    text = all_text(replies.logged(result, locale))
    assert "Acme Corp" in text
    assert "3.1" in text and t(locale, "step_won") in text
    assert t(locale, "stage_1") in text and t(locale, "stage_3") in text  # the stage change
    for step in (Step.REMOTE, Step.MET, Step.MET_TWICE, Step.DINED, Step.PROPOSED):
        assert step.label in text  # the steps never logged
    assert "<@U0REP1>" in text  # the new account's owner
    assert "first order" in text
    assert "3.2" in text  # what to do next


def test_logged_in_english_reads_well() -> None:
    msg = replies.logged(LOGGED_CASES["deal won, created, skipped"](), "en")
    assert msg["text"] == "Logged a won deal for *Acme Corp* on 2026-11-21 (Sat)."
    body = msg["blocks"][0]["text"]["text"]
    assert "Amount: ¥1,200,000." in body
    assert "New account *Acme Corp* created, owned by <@U0REP1>." in body
    assert "Moved up: 1.1 name only → 3.1 one deal won." in body
    assert "New stage: Acquaintance → Customer!" in body
    assert "Never logged on the way: 1.2 called or emailed, 1.3 met once, 2.1 met twice" in body


def test_a_step_change_inside_a_stage_announces_no_new_stage() -> None:
    body = all_text(replies.logged(LOGGED_CASES["touch, one step"](), "en"))
    assert "Moved up: 1.2 called or emailed → 1.3 met once." in body
    assert "New stage" not in body
    assert "Never logged" not in body


def test_an_unchanged_step_says_so() -> None:
    body = all_text(replies.logged(LOGGED_CASES["touch, unchanged"](), "en"))
    assert "Step unchanged." in body
    assert "Moved up" not in body


def test_a_duplicate_says_nothing_new_was_stored() -> None:
    for locale in LOCALES:
        assert t(locale, "duplicate_request") in all_text(replies.logged(LOGGED_CASES["duplicate"](), locale))


def test_a_lost_deal_shows_the_revisit_date() -> None:
    body = all_text(replies.logged(LOGGED_CASES["deal lost with revisit"](), "en"))
    assert "Revisit on 2027-04-01" in body
    assert "lost deal" in body


def test_japanese_amounts_use_man() -> None:
    body = all_text(replies.logged(LOGGED_CASES["deal won, created, skipped"](), "ja"))
    assert "120万円" in body


def test_user_text_is_escaped_in_mrkdwn() -> None:
    result = _logged(
        ActivityKind.VISIT, Step.MET, Step.MET, note="<!channel> & <b>", account={"name": "Tom & Jerry <Ltd>"}
    )
    msg = replies.logged(result, "en")
    body = msg["blocks"][0]["text"]["text"]
    assert "<!channel>" not in body and "&lt;!channel&gt; &amp; &lt;b&gt;" in body
    assert "Tom &amp; Jerry &lt;Ltd&gt;" in body
    assert "<Ltd>" not in msg["text"]


def test_the_advice_at_the_top_of_the_ladder() -> None:
    msg = replies.logged(LOGGED_CASES["deal to repeater"](), "en")
    assert "Top of the ladder" in all_text(msg)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("step", LADDER)
def test_next_step_advice_for_every_step(step: Step, locale: str) -> None:
    advice = replies.next_step_advice(step, locale)
    assert t(locale, f"advice_{step.value}", period=period(locale, AFTER_SALE_DAYS)) in advice
    check_message(
        {"text": advice, "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": advice}]}]}
    )


# -------------------------------------------------------------------------- replies.did_you_mean


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [1, 3])
def test_did_you_mean_is_valid(locale: str, count: int) -> None:
    candidates = tuple(
        make_account(id=100 + index, name=name)
        for index, name in enumerate(["Acme Corp", "Acme Trading", LONG_NAME][:count])
    )
    msg = replies.did_you_mean("Acmee", candidates, "f" * 32, locale)
    check_message(msg)
    buttons = msg["blocks"][-1]["elements"]
    assert len(buttons) == count + 1  # one per candidate, and "create"
    for candidate, button in zip(candidates, buttons, strict=False):
        assert json.loads(button["value"]) == {"p": "f" * 32, "a": candidate.id}
    assert json.loads(buttons[-1]["value"]) == {"p": "f" * 32}
    assert "Acmee" in buttons[-1]["text"]["text"]


def test_did_you_mean_with_a_long_typed_name() -> None:
    msg = replies.did_you_mean(LONG_NAME, (make_account(name=LONG_NAME),), "p1", "en")
    check_message(msg)


# -------------------------------------------------------------------------------- replies.error

ERROR_PARAMS: dict[str, dict[str, object]] = {
    "word": {"word": "13/45"},
    "limit": {"limit": 120},
    "date": {"date": "2026-12-01"},
    "length": {"length": 1200},
    "field": {"field": "owner"},
    "name": {"name": "Acme"},
    "error_id": {"error_id": "e1a2b3"},
    "account": {"account": "丸山印刷"},
    "what": {"what": "色違い"},
}
ERROR_CODES = sorted(key.removeprefix("error_") for key in en.MESSAGES if key.startswith("error_"))
EXAMPLES = sorted(key.removeprefix("example_") for key in en.MESSAGES if key.startswith("example_"))


def _params_for(code: str) -> dict[str, object]:
    import string

    params: dict[str, object] = {}
    for _, name, _, _ in string.Formatter().parse(en.MESSAGES[f"error_{code}"]):
        if name:
            params.update(ERROR_PARAMS[name])
    return params


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_with_an_example(code: str, locale: str) -> None:
    for example in EXAMPLES:
        msg = replies.error(code, _params_for(code), locale, example)
        check_message(msg)
        assert "⚠️" in msg["text"]
        assert t(locale, f"example_{example}") in all_text(msg)
    english = replies.error(code, _params_for(code), "en", "meeting")
    assert "Example" in all_text(english)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_without_an_example(code: str, locale: str) -> None:
    msg = replies.error(code, _params_for(code), locale, None)
    check_message(msg)
    assert len(msg["blocks"]) == 1


def test_the_error_names_the_problem_and_shows_an_example() -> None:
    msg = replies.error("bad_date", {"word": "13/45"}, "en", "meeting")
    text = all_text(msg)
    assert '"13/45" is not a date I understand.' in text
    assert "Example: `/meeting" in text
    ja = all_text(replies.error("bad_date", {"word": "13/45"}, "ja", "meeting"))
    assert "「13/45」" in ja and "例：" in ja


@pytest.mark.parametrize(("code", "params"), [("account_not_found", "name"), ("bad_scope", "word")])
def test_user_text_in_an_error_is_escaped(code: str, params: str) -> None:
    msg = replies.error(code, {params: "<!here> & <b>"}, "en", None)
    assert "<!here>" not in msg["blocks"][0]["text"]["text"]
    assert "&lt;!here&gt; &amp; &lt;b&gt;" in msg["blocks"][0]["text"]["text"]


# -------------------------------------------------------------------------------- edits, notices


@pytest.mark.parametrize("locale", LOCALES)
def test_edit_confirmations_are_valid(locale: str) -> None:
    for msg in (
        replies.edited("edited_owner", locale, account="Acme", owner="<@U0REP2>"),
        replies.edited("edited_segment", locale, account="Acme", segment="strategic"),
        replies.edited("edited_segment_cleared", locale, account="Acme"),
        replies.edited("edited_rename", locale, old="Acme", new=LONG_NAME),
        replies.plain_notice(t(locale, "choice_expired")),
    ):
        check_message(msg)


# ---------------------------------------------------------------------------------- account card


def _card(account: AccountFacts, history: list[ActivityFacts], count: int | None = None) -> AccountCard:
    return AccountCard(
        account=account, history=history, activity_count=len(history) if count is None else count
    )


FULL_HISTORY = [
    make_activity(id=5, kind="won", amount=1_200_000, note="first order", occurred_on=date(2026, 11, 21)),
    make_activity(id=4, kind="proposed", amount=None, note=LONG_NOTE, occurred_on=date(2026, 11, 1)),
    make_activity(id=3, kind="meal", note=None, occurred_on=date(2026, 10, 20)),
    make_activity(id=2, kind="visit", note="<b> & co", occurred_on=date(2026, 10, 2)),
    make_activity(
        id=1, kind="lost", amount=500_000, revisit_on=date(2027, 1, 5), occurred_on=date(2026, 9, 1)
    ),
]
CARD_CASES = {
    "full": lambda: _card(make_account(), FULL_HISTORY, count=12),
    "no history, no segment, never touched": lambda: _card(
        make_account(step="name_only", segment=None, last_touch_on=None, in_person_meetings=0), []
    ),
    "touched today": lambda: _card(make_account(last_touch_on=TODAY), FULL_HISTORY[:1]),
    "long name and notes": lambda: _card(
        make_account(name=LONG_NAME, segment="S" * 40),
        [make_activity(id=index, note=LONG_NOTE, kind=kind.value) for index, kind in enumerate(ActivityKind)],
    ),
    "repeater": lambda: _card(make_account(step="repeater", deals_won=5), FULL_HISTORY),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", sorted(CARD_CASES))
def test_account_cards_are_valid(case: str, locale: str) -> None:
    msg = card.account_card(CARD_CASES[case](), TODAY, locale)
    check_message(msg)


@pytest.mark.parametrize("step", LADDER)
def test_an_account_card_for_every_step(step: Step) -> None:
    for locale in LOCALES:
        msg = card.account_card(_card(make_account(step=step.value), FULL_HISTORY), TODAY, locale)
        check_message(msg)
        assert step.label in all_text(msg)


def test_the_card_shows_what_a_rep_needs() -> None:
    msg = card.account_card(CARD_CASES["full"](), TODAY, "en")
    text = all_text(msg)
    assert msg["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme Corp", "emoji": True},
    }
    assert "3 Customer" in text and "3.1 one deal won" in text
    assert "<@U0REP1>" in text
    assert "strategic" in text
    assert "2026-11-20 (Fri) (2 days ago)" in text
    assert "¥1,200,000" in text
    assert "… and 7 earlier." in text
    assert "&lt;b&gt; &amp; co" in text
    assert "Meetings in person: 2 · proposals: 1 · deals won: 1" in text
    actions = msg["blocks"][-1]
    assert [element["action_id"] for element in actions["elements"]] == ["open_log_meeting", "open_log_deal"]
    assert all(element["value"] == "42" for element in actions["elements"])


def test_a_long_note_is_shortened_on_the_card() -> None:
    msg = card.account_card(CARD_CASES["long name and notes"](), TODAY, "en")
    assert LONG_NOTE not in all_text(msg)
    history = msg["blocks"][-2]["text"]["text"]
    previews = [line.split(" — ", 1)[1] for line in history.splitlines() if " — " in line]
    assert previews
    for preview in previews:
        assert len(preview) <= card.NOTE_PREVIEW and preview.endswith("…")
        assert escape(LONG_NOTE).startswith(preview.removesuffix("…"))


def test_a_card_with_nothing_logged() -> None:
    for locale in LOCALES:
        text = all_text(
            card.account_card(CARD_CASES["no history, no segment, never touched"](), TODAY, locale)
        )
        assert t(locale, "card_no_history") in text
        assert t(locale, "card_never_touched") in text
        assert t(locale, "card_no_segment") in text


def test_a_card_touched_today() -> None:
    text = all_text(card.account_card(CARD_CASES["touched today"](), TODAY, "en"))
    assert "*Last touch* today" in text


def test_the_card_fallback_text_escapes_the_name() -> None:
    msg = card.account_card(_card(make_account(name="Tom & Jerry <Ltd>"), []), TODAY, "en")
    assert "<Ltd>" not in msg["text"]


@pytest.mark.parametrize("locale", LOCALES)
def test_which_account_is_valid(locale: str) -> None:
    candidates = (make_account(id=1, name="Acme Corp"), make_account(id=2, name=LONG_NAME))
    msg = card.which_account("Acme", candidates, locale)
    check_message(msg)
    values = [button["value"] for button in msg["blocks"][-1]["elements"]]
    assert values == ["1", "2"]


# ----------------------------------------------------------------------------------------- pyramid

HEALTHY = distribution_from(
    {"name_only": 20, "remote": 10, "met": 5, "met_twice": 8, "won": 4, "repeater": 2}
)
UNHEALTHY = distribution_from(
    {"name_only": 3, "met_twice": 5, "proposed": 2, "won": 1, "repeat": 1, "repeater": 4}
)
EMPTY = distribution_from({})
BIG = distribution_from({step.value: 100_000 - index * 9_000 for index, step in enumerate(LADDER)})
DISTRIBUTIONS = {"healthy": HEALTHY, "unhealthy": UNHEALTHY, "empty": EMPTY, "big": BIG}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
@pytest.mark.parametrize("detail", [False, True])
@pytest.mark.parametrize("share", [False, True])
def test_pyramid_messages_are_valid(name: str, detail: bool, share: bool, locale: str) -> None:
    dist = DISTRIBUTIONS[name]
    share_value: dict[str, object] | None = {"s": "user", "u": "U0REP2", "d": detail} if share else None
    msg = pyramid.pyramid_message(
        dist,
        health(dist),
        title=t(locale, "pyramid_title_user", user="<@U0REP2>"),
        detail=detail,
        locale=locale,
        share_value=share_value,
        shared_by="U0REP1" if share else None,
    )
    check_message(msg)


def test_the_drawing_contains_the_stage_counts() -> None:
    msg = pyramid.pyramid_message(
        HEALTHY, health(HEALTHY), title="Team pyramid", detail=False, locale="en", share_value=None
    )
    drawing = drawn_pyramid(msg)
    lines = drawing.strip("`\n").splitlines()
    assert len(lines) == 4
    expected = {Stage.REPEATER: 2, Stage.CUSTOMER: 4, Stage.PROSPECT: 8, Stage.ACQUAINTANCE: 35}
    for line, (stage, count) in zip(lines, expected.items(), strict=True):  # stage 4 on top
        assert f" {count} " in line
        assert f"{stage.value} {t('en', f'stage_{stage.value}')}" in line
    assert "Accounts: 49" in all_text(msg)
    assert msg["text"] == "Team pyramid — 4: 2 · 3: 4 · 2: 8 · 1: 35"
    assert "✅" in all_text(msg)


def test_the_bars_grow_towards_the_bottom_of_a_healthy_pyramid() -> None:
    drawing = pyramid.draw(HEALTHY, detail=False, locale="en")
    widths = [line.count("█") for line in drawing.splitlines()]
    assert widths == sorted(widths)
    assert widths[-1] == pyramid.BAR_WIDTH


def test_the_detail_drawing_lists_the_nine_steps() -> None:
    msg = pyramid.pyramid_message(
        HEALTHY, health(HEALTHY), title="Team pyramid", detail=True, locale="ja", share_value=None
    )
    drawing = drawn_pyramid(msg)
    assert len(drawing.strip("`\n").splitlines()) == 4 + 9
    for step in LADDER:
        assert f"{step.label} {t('ja', f'step_{step.value}')}" in drawing
    assert "   20    1.1" in drawing


def test_an_unhealthy_pyramid_lists_its_problems() -> None:
    msg = pyramid.pyramid_message(
        UNHEALTHY, health(UNHEALTHY), title="Team pyramid", detail=False, locale="en", share_value=None
    )
    text = all_text(msg)
    assert "⚠️" in text
    assert "Stage 1 (3) ≤ stage 2 (7)" in text
    assert "Stage 3 (2) ≤ stage 4 (4)" in text
    assert "Stage 2 (7) ≤" not in text  # 7 > 2 is fine


def test_an_empty_pyramid_says_how_to_start() -> None:
    for locale in LOCALES:
        msg = pyramid.pyramid_message(
            EMPTY, health(EMPTY), title="T", detail=True, locale=locale, share_value={"s": "team"}
        )
        assert t(locale, "pyramid_empty") in all_text(msg)


def test_the_share_button_carries_the_request() -> None:
    value = {"s": "me", "u": "U0REP1", "d": True}
    msg = pyramid.pyramid_message(
        HEALTHY, health(HEALTHY), title="Your pyramid", detail=True, locale="en", share_value=value
    )
    actions = [block for block in msg["blocks"] if block["type"] == "actions"]
    assert len(actions) == 1
    button = actions[0]["elements"][0]
    assert button["action_id"] == "share_pyramid"
    assert json.loads(button["value"]) == value
    assert button["text"]["text"] == "Share in channel"


def test_a_shared_pyramid_names_who_shared_it() -> None:
    msg = pyramid.pyramid_message(
        HEALTHY,
        health(HEALTHY),
        title="Team pyramid",
        detail=False,
        locale="en",
        share_value=None,
        shared_by="U0REP1",
    )
    assert "Shared by <@U0REP1>" in all_text(msg)
    assert not [block for block in msg["blocks"] if block["type"] == "actions"]


# ------------------------------------------------------------------------------------------ modals


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("which", ["meeting", "deal"])
@pytest.mark.parametrize("account", [None, "short", "long"])
@pytest.mark.parametrize("channel", [None, "C0TEAM"])
def test_log_modals_are_valid(which: str, account: str | None, channel: str | None, locale: str) -> None:
    chosen = {None: None, "short": make_account(), "long": make_account(name=LONG_NAME)}[account]
    view = modals.log_modal(which, locale=locale, today=TODAY, channel_id=channel, account=chosen)
    check_view(view)
    assert json.loads(view["private_metadata"]) == {"channel": channel}
    blocks = {block["block_id"]: block for block in view["blocks"]}
    select = blocks["account"]["element"]
    if chosen is None:
        assert "initial_option" not in select
    else:
        assert select["initial_option"]["value"] == str(chosen.id)
    assert blocks["date"]["element"]["initial_date"] == "2026-11-22"
    assert blocks["note"]["optional"] is True
    assert blocks["note"]["element"]["max_length"] == MAX_NOTE


def test_the_meeting_modal_offers_the_touches_with_visit_first_choice() -> None:
    view = modals.log_modal("meeting", locale="en", today=TODAY, channel_id=None)
    assert view["callback_id"] == modals.MEETING_CALLBACK
    kind = {block["block_id"]: block for block in view["blocks"]}["kind"]["element"]
    assert [option["value"] for option in kind["options"]] == ["call", "email", "letter", "visit", "meal"]
    assert kind["initial_option"]["value"] == "visit"
    assert {block["block_id"] for block in view["blocks"]} == {"account", "kind", "date", "note"}


def test_the_deal_modal_offers_the_outcomes_an_amount_and_a_revisit_date() -> None:
    view = modals.log_modal("deal", locale="ja", today=TODAY, channel_id=None)
    assert view["callback_id"] == modals.DEAL_CALLBACK
    blocks = {block["block_id"]: block for block in view["blocks"]}
    assert [option["value"] for option in blocks["kind"]["element"]["options"]] == ["proposed", "won", "lost"]
    assert blocks["kind"]["element"]["initial_option"]["value"] == "won"
    assert blocks["amount"]["optional"] and blocks["revisit"]["optional"]
    assert set(blocks) == {"account", "kind", "date", "amount", "revisit", "lost_reason", "note"}
    reasons = blocks["lost_reason"]
    assert reasons["optional"] and "initial_option" not in reasons["element"]
    assert [option["text"]["text"] for option in reasons["element"]["options"]] == [
        "価格",
        "時期・タイミング",
        "競合",
        "不要・ニーズなし",
        "その他",
    ]
    assert view["title"]["text"] == t("ja", "modal_deal_title")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("channel", [None, "C0TEAM"])
def test_the_account_modal_is_valid(locale: str, channel: str | None) -> None:
    view = modals.account_modal(locale=locale, channel_id=channel)
    check_view(view)
    assert view["callback_id"] == modals.ACCOUNT_CALLBACK
    assert json.loads(view["private_metadata"]) == {"channel": channel}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ["Acme", "株式会社アクメ", LONG_NAME])
def test_select_options_are_valid(locale: str, name: str) -> None:
    check_option(modals.account_option(make_account(name=name)))
    option = modals.new_account_option(name, locale)
    check_option(option)
    assert option["value"] == modals.NEW_ACCOUNT_PREFIX + name


# ------------------------------------------------------------------------------ views over view-models


def test_the_views_load_no_database_code() -> None:
    """Views render view-models: importing every one of them loads neither SQLAlchemy nor a model
    nor a service (a fresh interpreter, so that no other test's imports count)."""
    import subprocess
    import sys

    script = (
        "import importlib, pkgutil, sys\n"
        "import bot.views\n"
        "for module in pkgutil.iter_modules(bot.views.__path__):\n"
        "    if module.name != 'text':  # the console's renderer, moving out of bot/views\n"
        "        importlib.import_module('bot.views.' + module.name)\n"
        "found = [k for k in sys.modules if k.startswith(('sqlalchemy', 'bot.models', 'bot.services'))]\n"
        "print(sorted(found))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout
