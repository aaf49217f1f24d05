"""Every message and view builder in bot/views/, fed oversized data (200-character names full of markup
characters, 1,000-character Japanese notes, 50 follow-ups, 30 recoveries, 100 accounts), stays inside
Slack's real limits (the strict checker in tests/support/blockkit.py), keeps its "…and N more" lines
right, and never cuts text in the middle of mrkdwn markup."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.activities import ActivityKind
from bot.domain.analytics import Retention
from bot.domain.followups import Due
from bot.domain.health import Flow, RetentionPoint
from bot.domain.lapse import Lapse
from bot.domain.pyramid import distribution_from, health
from bot.domain.recovery import ALL_STEPS_MASK, RecoveryStatus
from bot.domain.revenue import AccountRevenue, OpenProposal, Revenue, StageRevenue
from bot.domain.stages import LADDER, Climb, Stage, Step
from bot.i18n import LOCALES, en, t
from bot.models import Account, Recovery
from bot.services.analytics import Analytics
from bot.services.digests import Digest, FollowupItem, LapsingItem, RecoveryItem, StalledItem
from bot.services.summaries import Advancement, QuietCounts, Summary, Win
from bot.usecases.facts import AccountCard, AccountFacts, ActivityFacts, LoggedFacts, RecoveryFacts
from bot.views import announcements, card, digest, home, modals, pyramid, recovery, replies, summary
from bot.views.blocks import MESSAGE_TEXT_BUDGET, clip, escape, fit_lines, pack_lines
from tests.support.blockkit import (
    MESSAGE_BLOCKS_TEXT,
    BlockKitViolation,
    blocks_text_length,
    check_message,
    check_view,
)
from tests.support.rows import account_row, activity_row

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
# Names and notes made to hurt: every character Slack reads as markup, and Japanese that fills the limit.
NAME = ("株式会社 A&B <Co> *Star* _Trade_ ~Ltd~ `x` " * 10)[:200]
JA_NOTE = ("先方の購買部長が交代し、見積の再提出と納期の前倒しを求められた。<至急> & 要確認。" * 40)[:1000]
AMP_NOTE = "&" * 1000  # escapes to 5,000 characters
USERS = [f"U{index:08d}" for index in range(100)]


def name(index: int) -> str:
    return f"{index:03d} {NAME}"[:200]


# ---------------------------------------------------------------------------------------- the data


def heavy_digest(
    *, followups: int = 50, recoveries: int = 30, lapsing: int = 100, stalled: int = 100, note: str = JA_NOTE
) -> Digest:
    lapses = [Lapse.NUDGE, Lapse.DORMANT, Lapse.ARCHIVE]
    return Digest(
        team_id="T1",
        user_id="U1",
        day=TODAY,
        followups=tuple(
            FollowupItem(
                id=index + 1,
                account_id=index + 1,
                account_name=name(index),
                due_on=TODAY - timedelta(days=index),
                note=note,
                source=("manual", "after_sale", "revisit", "recovery")[index % 4],
            )
            for index in range(followups)
        ),
        recoveries=tuple(
            RecoveryItem(
                id=index + 1,
                account_name=name(index),
                what=note,
                status=(RecoveryStatus.OPEN, RecoveryStatus.RESPONDED)[index % 2],
                steps_done=index % (ALL_STEPS_MASK + 1),
                opened_on=TODAY - timedelta(days=index),
            )
            for index in range(recoveries)
        ),
        lapsing=tuple(
            LapsingItem(
                account_id=index + 1,
                account_name=name(index),
                step=LADDER[index % len(LADDER)],
                quiet_days=60 + index,
                lapse=lapses[index % 3],
            )
            for index in range(lapsing)
        ),
        stalled=tuple(
            StalledItem(
                account_id=index + 1, account_name=name(index), proposed_on=TODAY - timedelta(days=40)
            )
            for index in range(stalled)
        ),
        quiet_acquaintances=100,
    )


def heavy_summary(count: int = 100) -> Summary:
    stages = list(Stage)
    return Summary(
        team_id="T1",
        week_start=TODAY - timedelta(days=7),
        day=TODAY,
        distribution=distribution_from({step.value: 10_000 + index for index, step in enumerate(LADDER)}),
        last_week={stage: 9_000 for stage in Stage},
        advancements=tuple(
            Advancement(
                account=name(index),
                user_id=USERS[index],
                before=stages[index % 3],
                after=stages[index % 3 + 1],
                kind=(ActivityKind.WON, ActivityKind.VISIT, None)[index % 3],
            )
            for index in range(count)
        ),
        wins=tuple(
            Win(account=name(index), user_id=USERS[index], amount=10**12 + index) for index in range(count)
        ),
        new_acquaintances=count,
        open_recoveries=tuple((name(index), JA_NOTE, TODAY - timedelta(days=index)) for index in range(30)),
        quiet_by_rep={user: QuietCounts(lapsing=100, dormant=100) for user in USERS},
        flow=heavy_flow(),
        revenue=heavy_revenue(),
    )


def heavy_flow() -> Flow:
    """Every weak point at once, with the largest figures."""
    return Flow(
        new_by_week=(0,) + (10**9,) * 8,
        dormant_by_week=(10**9, 0),
        open_recoveries=10**9,
        oldest_recovery_days=10**6,
        overdue_recoveries=10**9,
        retention=tuple(RetentionPoint(years, 10**9, 1) for years in (1, 2, 3)),
    )


def heavy_revenue() -> Revenue:
    big = 10**15 + 1  # not a round 万: the longest form in both languages
    return Revenue(year=9999, by_stage={stage: StageRevenue(big, big, big, 10**9) for stage in Stage})


def a_row(**changes: Any) -> Account:
    """The account with the names made to hurt."""
    hurting: dict[str, Any] = {"team_id": "T1", "name": NAME, "name_key": "key", "segment": NAME}
    return account_row(**(hurting | changes))


def account(**changes: Any) -> AccountFacts:
    return AccountFacts.of(a_row(**changes))


def activity(index: int = 1, note: str = JA_NOTE, **changes: Any) -> ActivityFacts:
    """A win of a quadrillion yen with a long note and a revisit date."""
    values: dict[str, Any] = {
        "id": index,
        "team_id": "T1",
        "kind": ActivityKind.WON.value,
        "amount": 10**15,
        "note": note,
        "revisit_on": date(2027, 4, 1),
        "request_key": f"command:{index}",
    }
    return ActivityFacts.of(activity_row(**(values | changes)))


def a_recovery(status: RecoveryStatus = RecoveryStatus.OPEN, what: str = JA_NOTE) -> RecoveryFacts:
    row = Recovery(
        id=7,
        team_id="T1",
        account_id=42,
        owner_id="U0REP1",
        opened_by="U0REP2",
        what=what,
        status=status.value,
        steps_done=3,
        opened_at=NOW,
        opened_on=TODAY,
    )
    return RecoveryFacts.of(row, a_row())


def logged(note: str) -> LoggedFacts:
    return LoggedFacts(
        account=account(),
        activity=activity(note=note),
        climb=Climb(before=Step.NAME_ONLY, after=Step.REPEATER),
        created_account=True,
        duplicate=True,
        followups_scheduled=tuple(
            Due(on=TODAY + timedelta(days=day + 1), asked=TODAY + timedelta(days=day)) for day in range(10)
        ),
    )


def analytics() -> Analytics:
    return Analytics(
        week={stage: -10_000 for stage in Stage},
        month={stage: 10_000 for stage in Stage},
        conversion={stage: 0.5 for stage in Stage},
        median_days={stage: 1000.0 for stage in Stage},
        retention=Retention(customers=100_000, active=50_000),
        flow=heavy_flow(),
        revenue=heavy_revenue(),
    )


def error_params(template: str) -> dict[str, object]:
    fields = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    return {field: NAME * 10 for field in fields}


# --------------------------------------------------------------------------------- every builder

MESSAGES: dict[str, Callable[[str], dict[str, Any]]] = {
    "digest, heavy rep": lambda locale: digest.digest_message(heavy_digest(), locale),
    "digest, ampersand notes": lambda locale: digest.digest_message(heavy_digest(note=AMP_NOTE), locale),
    "digest, follow-ups only": lambda locale: digest.digest_message(
        heavy_digest(recoveries=0, lapsing=0, stalled=0), locale
    ),
    "digest, lapsing only": lambda locale: digest.digest_message(
        heavy_digest(followups=0, recoveries=0, stalled=0), locale
    ),
    "summary, busy week": lambda locale: summary.summary_message(heavy_summary(), locale),
    "hourly, 100 stage changes": lambda locale: announcements.hourly(
        [
            announcements.stage_line(
                USERS[i], name(i), Stage.PROSPECT, Stage.CUSTOMER, ActivityKind.WON, locale
            )
            for i in range(100)
        ],
        locale,
    ),
    "single announcement": lambda locale: announcements.single(
        announcements.stage_line("U1", NAME, Stage.CUSTOMER, Stage.REPEATER, None, locale)
    ),
    "card": lambda locale: card.account_card(
        AccountCard(
            account(),
            [activity(index) for index in range(1, 6)],
            10_000,
            revenue=AccountRevenue(9999, 10**15 + 1, 10**15 + 1, OpenProposal(10**15 + 1, TODAY)),
        ),
        TODAY,
        locale,
    ),
    "card, ampersand notes": lambda locale: card.account_card(
        AccountCard(account(), [activity(index, AMP_NOTE) for index in range(1, 6)], 5), TODAY, locale
    ),
    "which account": lambda locale: card.which_account(
        NAME, tuple(account(id=index, name=name(index)) for index in range(5)), locale
    ),
    "logged, Japanese note": lambda locale: replies.logged(logged(JA_NOTE), locale),
    "logged, ampersand note": lambda locale: replies.logged(logged(AMP_NOTE), locale),
    "did you mean": lambda locale: replies.did_you_mean(
        NAME, tuple(account(id=index, name=name(index)) for index in range(5)), "p" * 40, locale
    ),
    "notice": lambda locale: replies.plain_notice(JA_NOTE * 5),
    "edited": lambda locale: replies.edited("edited_rename", locale, old=NAME, new=AMP_NOTE),
    "checklist, open": lambda locale: recovery.owner_checklist(a_recovery(), locale),
    "checklist, ampersands": lambda locale: recovery.owner_checklist(a_recovery(what=AMP_NOTE), locale),
    "checklist, closed": lambda locale: recovery.owner_checklist(a_recovery(RecoveryStatus.LOST), locale),
    "trouble channel post": lambda locale: recovery.channel_post(a_recovery(what=AMP_NOTE), locale),
    "trouble flag": lambda locale: recovery.flag_post(a_recovery(), 7, locale),
    "verdict question": lambda locale: recovery.verdict_question(a_recovery(), locale),
    "pyramid with analytics": lambda locale: pyramid.pyramid_message(
        distribution_from({step.value: 10**9 for step in LADDER}),
        health(distribution_from({step.value: 10**9 for step in LADDER})),
        title=NAME,
        detail=True,
        locale=locale,
        share_value={"scope": "team", "detail": True, "owner": "U" * 20},
        shared_by="U0REP1",
        analytics=analytics(),
    ),
}
for _key in sorted(key for key in en.MESSAGES if key.startswith("error_")):
    MESSAGES[f"error {_key}"] = lambda locale, key=_key: replies.error(
        key.removeprefix("error_"), error_params(en.MESSAGES[key]), locale, "meeting"
    )

VIEWS: dict[str, Callable[[str], dict[str, Any]]] = {
    "home, heavy rep": lambda locale: home.home_view(
        distribution_from({step.value: 10**9 for step in LADDER}), heavy_digest(), locale, flow=heavy_flow()
    ),
    "home, nothing due": lambda locale: home.home_view(
        distribution_from({}), heavy_digest(followups=0, recoveries=0, lapsing=0, stalled=0), locale
    ),
    "meeting modal": lambda locale: modals.log_modal(
        "meeting", locale=locale, today=TODAY, channel_id="C" * 20, account=account()
    ),
    "deal modal": lambda locale: modals.log_modal(
        "deal", locale=locale, today=TODAY, channel_id=None, account=account()
    ),
    "account modal": lambda locale: modals.account_modal(locale=locale, channel_id="C" * 20),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_every_message_stays_inside_slacks_limits(case: str, locale: str) -> None:
    msg = MESSAGES[case](locale)
    check_message(msg, case)
    assert blocks_text_length(msg["blocks"]) <= MESSAGE_TEXT_BUDGET  # 2,000 under Slack's ~12,000


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("case", sorted(VIEWS))
def test_every_view_stays_inside_slacks_limits(case: str, locale: str) -> None:
    check_view(VIEWS[case](locale), case)


@pytest.mark.parametrize("locale", LOCALES)
def test_select_options_for_long_names(locale: str) -> None:
    options = [modals.account_option(account(id=index, name=name(index))) for index in range(100)]
    options.append(modals.new_account_option(NAME[:120], locale))
    select = {"type": "external_select", "action_id": "account_select", "initial_option": options[0]}
    check_message({"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]})
    for option in options:
        block = {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "pick"},
            "accessory": {**select, "initial_option": option},
        }
        check_message({"text": "pick", "blocks": [block]})


# ------------------------------------------------------------------------------ "…and N more" lines


def more_count(text: str, locale: str) -> int | None:
    pattern = re.escape(t(locale, "digest_more", count=999)).replace("999", r"(\d+)")
    found = re.search(pattern, text)
    return int(found.group(1)) if found else None


def digest_counts(msg: dict[str, Any], locale: str) -> list[tuple[int, int | None]]:
    """Per list: the items shown (by their block ids or accessories) and the N of its "…and N more"."""
    counts: list[tuple[int, int | None]] = []
    shown = 0
    for block in msg["blocks"][1:]:
        text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
        is_title = (
            block["type"] == "section" and text.startswith("*") and text.endswith("*") and "\n" not in text
        )
        if is_title:
            if counts or shown:
                counts.append((shown, None))
            shown = 0
            continue
        if block["type"] == "section" and ("block_id" in block or "accessory" in block):
            shown += 1
        if block["type"] == "context":
            found = more_count(block["elements"][0]["text"], locale)
            if found is not None:
                counts.append((shown, found))
                shown = 0
    if shown:
        counts.append((shown, None))
    return counts


@pytest.mark.parametrize("locale", LOCALES)
def test_the_heavy_reps_digest_fits_and_counts_what_it_left_out(locale: str) -> None:
    # The digest Slack refused at 16,930 characters: 120-character names, long notes, many items.
    data = heavy_digest(followups=50, recoveries=30, lapsing=100, stalled=100, note=JA_NOTE)
    data = Digest(
        **{
            **data.__dict__,
            "followups": tuple(
                FollowupItem(**{**item.__dict__, "account_name": item.account_name[:120]})
                for item in data.followups
            ),
        }
    )
    msg = digest.digest_message(data, locale)
    check_message(msg, "digest")
    assert blocks_text_length(msg["blocks"]) <= MESSAGE_TEXT_BUDGET < MESSAGE_BLOCKS_TEXT
    totals = [len(data.followups), len(data.recoveries), len(data.lapsing), len(data.stalled)]
    counts = [count for count in digest_counts(msg, locale) if count[1] is not None]
    assert len(counts) == 4, counts
    for (shown, hidden), total in zip(counts, totals, strict=True):
        assert hidden is not None and shown + hidden == total, (shown, hidden, total)
    # Every list keeps at least its first item to act on: many follow-ups never push the recoveries out.
    assert all(shown >= 1 for shown, _ in counts), counts
    # What is left out is said in the rep's language: 「…ほか N 件」 in Japanese.
    if locale == "ja":
        assert f"…ほか{counts[0][1]}件" in str(msg["blocks"])


@pytest.mark.parametrize("locale", LOCALES)
def test_a_light_digest_shows_everything(locale: str) -> None:
    data = heavy_digest(followups=3, recoveries=2, lapsing=3, stalled=2, note="call back")
    msg = digest.digest_message(data, locale)
    check_message(msg, "digest")
    assert more_count(str(msg["blocks"]), locale) is None
    for item in data.followups:
        assert f"fu_{item.id}_actions" in {block.get("block_id") for block in msg["blocks"]}


@pytest.mark.parametrize("locale", LOCALES)
def test_pressing_every_item_of_a_heavy_digest_keeps_it_valid(locale: str) -> None:
    msg = digest.digest_message(heavy_digest(), locale)
    blocks = msg["blocks"]
    for block in list(blocks):
        block_id = block.get("block_id", "")
        if block_id.endswith("_actions"):
            item = block_id.removesuffix("_actions")
            blocks = digest.replace_item(blocks, item, f"✅ <@U0REP1> · {NAME}")
            blocks = digest.replace_item(blocks, item, "pressed twice")  # a stale second press
    check_message({"text": msg["text"], "blocks": blocks}, "pressed digest")
    assert not any(block.get("block_id", "").endswith("_actions") for block in blocks)


def section_lines(msg: dict[str, Any]) -> list[str]:
    return [
        line
        for block in msg["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_hourly_announcement_keeps_whole_lines_and_counts_the_rest(locale: str) -> None:
    lines = [
        announcements.stage_line(USERS[i], name(i), Stage.PROSPECT, Stage.CUSTOMER, ActivityKind.WON, locale)
        for i in range(100)
    ]
    msg = announcements.hourly(lines, locale)
    check_message(msg, "hourly")
    shown = section_lines(msg)
    assert shown[0] == t(locale, "announcements_hour")
    hidden = more_count(shown[-1], locale)
    assert hidden is not None and hidden > 0
    assert shown[1:-1] == lines[: len(shown) - 2]  # whole lines, in order, none cut
    assert len(shown) - 2 + hidden == len(lines)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_quiet_hour_has_no_more_line(locale: str) -> None:
    lines = [announcements.stage_line("U1", "Acme", Stage.PROSPECT, Stage.CUSTOMER, None, locale)] * 3
    msg = announcements.hourly(lines, locale)
    check_message(msg, "hourly")
    assert section_lines(msg)[1:] == lines


@pytest.mark.parametrize("locale", LOCALES)
def test_the_weekly_summary_keeps_whole_lines_and_its_more_lines(locale: str) -> None:
    data = heavy_summary()
    msg = summary.summary_message(data, locale)
    check_message(msg, "summary")
    texts = [block["text"]["text"] for block in msg["blocks"] if block["type"] == "section"]
    moves = next(text for text in texts if text.startswith("*" + t(locale, "summary_moves")))
    recoveries = next(
        text for text in texts if text.startswith("*" + t(locale, "summary_recoveries", count=30))
    )
    quiet = next(text for text in texts if text.startswith("*" + t(locale, "summary_quiet")))
    total_moves = len(data.advancements) + len(data.wins)
    for text, total in ((moves, total_moves), (recoveries, 30), (quiet, 100)):
        lines = text.split("\n")[1:]
        hidden = more_count(lines[-1], locale)
        assert hidden is not None, lines[-1]
        assert len(lines) - 1 + hidden == total
        for line in lines[:-1]:
            assert "…" not in line.split(" — ")[0] or "*" in line  # names clipped inside their bold
    expected = [
        announcements.stage_line(m.user_id, m.account, m.before, m.after, m.kind, locale)
        for m in data.advancements
    ]
    shown_moves = moves.split("\n")[1:-1]
    first = min(len(shown_moves), summary.MAX_LINES)
    assert shown_moves[:first] == expected[:first]


def test_a_summary_with_nothing_to_hide_has_no_more_line() -> None:
    small = heavy_summary(count=2)
    small = Summary(**{**small.__dict__, "open_recoveries": small.open_recoveries[:2], "quiet_by_rep": {}})
    for locale in LOCALES:
        msg = summary.summary_message(small, locale)
        check_message(msg, "summary")
        assert more_count(str(msg["blocks"]), locale) is None


# ----------------------------------------------------------------------------------------- clipping

TOKENS = [
    "word",
    "日本語",
    " ",
    " ",
    "\n",
    "*bold text*",
    "_italic_",
    "~struck~",
    "`code`",
    "<@U0123ABCD>",
    "<@U0123ABCD|kaz>",
    "<https://example.com/a_b*c|a *label*>",
    "<!date^1700000000^{date}|Nov 14>",
    "&amp;",
    "&lt;tag&gt;",
    "```\nblock of code\n```",
    "*",
    "_",
]


def broken_markup(text: str) -> str | None:
    """What the strict checker says about mrkdwn cut in its markup, or None."""
    try:
        check_message(
            {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
        )
    except BlockKitViolation as violation:
        if violation.rule.startswith("mrkdwn."):
            return violation.rule
        if violation.rule.startswith("section.text"):
            return None
        raise
    return None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=60), st.integers(min_value=12, max_value=200))
def test_clip_never_cuts_inside_markup(tokens: list[str], limit: int) -> None:
    text = "".join(tokens)
    if not text.strip():
        return
    clipped = clip(text, limit)
    assert len(clipped) <= limit
    if len(text) <= limit:
        assert clipped == text
        return
    assert "…" in clipped
    kept = clipped[: clipped.rindex("…")]
    assert text.startswith(kept)
    assert broken_markup(clipped) is None, clipped
    # Every <…> token kept is whole.
    for token in re.findall(r"<[^<>]*>", clipped):
        assert token in text


def test_clip_closes_what_it_leaves_open() -> None:
    assert clip("*" + "A" * 100 + "*", 30).endswith("…*")
    assert clip("_" + "a" * 100 + "_", 30).endswith("…_")
    assert clip("say `" + "x" * 100 + "`", 30).endswith("…`")
    fenced = clip("```\n" + "line\n" * 100 + "```", 60)
    assert fenced.endswith("…\n```") and fenced.count("```") == 2
    # A mention or a link stays whole or goes.
    assert clip("hello <@U0123ABCD|kaz> and more text", 14) == "hello…"
    link = "<https://example.com/very/long|the doc>"
    kept = clip(f"see {link} " + "more " * 20, 60)
    assert kept.startswith(f"see {link}") and kept.endswith("…")
    assert clip(f"see {link} " + "more " * 20, 40) == "see…"
    # An entity stays whole or goes.
    assert clip("a" * 8 + "&amp;" * 20, 20) in ("a" * 8 + "…", "a" * 8 + "&amp;…")
    assert clip(escape("R&D " * 50), 30).count("&") == clip(escape("R&D " * 50), 30).count("&amp;")


def test_a_literal_asterisk_in_a_word_is_not_taken_for_bold() -> None:
    assert clip("2*3 is six " * 20, 30).endswith("…")


def test_fit_lines_keeps_whole_lines_and_counts_the_rest() -> None:
    lines = [f"• *{'name ' * 20}{index}* <@U{index:08d}>" for index in range(40)]
    text = fit_lines(lines, 1000, lambda count: f"… and {count} more.", head="*Moves*")
    out = text.split("\n")
    assert len(text) <= 1000 and out[0] == "*Moves*"
    assert out[1:-1] == lines[: len(out) - 2]
    assert out[-1] == f"… and {40 - (len(out) - 2)} more."
    assert fit_lines(lines[:2], 1000, lambda count: f"{count} more") == "\n".join(lines[:2])
    # A line too long on its own is clipped in whole markup, not dropped.
    long = fit_lines(["*" + "x" * 500 + "*"], 100, lambda count: f"{count} more")
    assert long.endswith("…*") and len(long) <= 100


def test_pack_lines_spreads_over_sections_within_the_budget() -> None:
    lines = ["x" * 290 for _ in range(100)]
    chunks = pack_lines(lines, lambda count: f"… and {count} more.", head="T", max_sections=3, budget=7000)
    assert len(chunks) <= 3
    assert all(len("\n".join(chunk)) <= 3000 for chunk in chunks)
    assert sum(len("\n".join(chunk)) for chunk in chunks) <= 7000
    shown = sum(len(chunk) for chunk in chunks) - 2  # the head and the more line
    assert chunks[-1][-1] == f"… and {100 - shown} more."
