"""Free text → what a rep meant to log (issue 14): activities, follow-ups and troubles.

Pure: no I/O, no clock, no network, no model. "Today" and the team's known account names are
parameters. The result is a *proposal*: every item needs the rep's confirmation before anything is
stored, and whatever could not be read completely is returned in `unread` with what was
understood, never filled in by a guess.

How a message is read:

1. Slack markup becomes plain text: user mentions, channels and special mentions disappear,
   links keep their label (never their URL), emoji codes (:smile:) go.
2. The text is NFKC-normalised and folded (case) with a map back to the characters as typed, and
   split into sentences (。 ! ? ; new lines, ". ", "then", その後) and those into clauses (、 , → /
   " - " and, but, emoji).
3. In each sentence the engine finds account mentions (the team's known names by their
   `name_key`, kana folded, longest first, Latin names on word boundaries, the first word of a long
   Latin name alone; new companies by a legal form or quotes; near matches of known names as "did
   you mean"), date phrases, kind words, plan markers, trouble words and amounts. A company after
   "lost to", "競合の", "の紹介で" … is only mentioned in passing.
4. Each kind word becomes an activity, or a follow-up when it is planned (予定, つもり, will,
   plan to, a future date). Its account is the nearest one on the side the language puts it
   (before the verb in Japanese, after it in English), with those joined to it by と / and / →;
   else the account of an earlier sentence; else, when the whole message names exactly one
   company (a pasted e-mail signed at the end), that one. Its date is the nearest date phrase in
   its clause, else one in an earlier clause that has no kind word of its own, else the message's
   last activity date, else today. Amounts go only to proposals and deals, never after 予算 /
   budget. Activities with one account on one day merge (a lunch meeting is the meal; a proposal
   sent by mail is the proposal; a deal won is not also proposed).
5. Whatever cannot be read whole is `unread`, with its reason: no company, two companies said as
   alternatives (AかB), a plan without a date or with a past one, a date that cannot exist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.domain.activities import ActivityKind
from bot.domain.dates_ja import japanese_date
from bot.domain.names import name_key
from bot.domain.parsing import ParseError, Prefer, parse_amount, parse_date

# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class AccountRef:
    """An account as the message names it. `known` is the team's name it matched exactly;
    `suggestions` are known names it is close to (a typo?), to ask "did you mean"; with neither it
    is a new company, created only if the rep confirms."""

    written: str
    known: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def is_known(self) -> bool:
        return self.known is not None

    @property
    def is_new(self) -> bool:
        return self.known is None and not self.suggestions

    @property
    def proposed(self) -> str:
        """The name the preview proposes: the known one, the first suggestion, or as written."""
        if self.known is not None:
            return self.known
        return self.suggestions[0] if self.suggestions else self.written


@dataclass(frozen=True)
class Activity:
    account: AccountRef
    kind: ActivityKind
    on: date
    amount: int | None
    note: str
    # The engine only proposes: nothing it returns is stored until the rep confirms.
    needs_confirmation: bool = True


@dataclass(frozen=True)
class Followup:
    account: AccountRef
    due: date
    what: str
    needs_confirmation: bool = True


@dataclass(frozen=True)
class Trouble:
    account: AccountRef
    what: str
    needs_confirmation: bool = True


@dataclass(frozen=True)
class Unread:
    """A part of the message that was not read completely. `reason` is one of: no_account,
    no_date (a plan without a date), past_date (a plan whose date has passed), bad_date,
    two_accounts; `understood` says what was read of it."""

    text: str
    reason: str
    understood: str


@dataclass(frozen=True)
class Extraction:
    activities: tuple[Activity, ...] = ()
    followups: tuple[Followup, ...] = ()
    troubles: tuple[Trouble, ...] = ()
    unread: tuple[Unread, ...] = ()

    @property
    def items(self) -> tuple[Activity | Followup | Trouble, ...]:
        return (*self.activities, *self.followups, *self.troubles)

    @property
    def is_empty(self) -> bool:
        return not self.items and not self.unread


# ---------------------------------------------------------------------------------------------
# Known names, indexed once per team


def _words(text: str) -> list[str]:
    return text.split()


_CJK_CHARS = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶー"
_CJK_RE = re.compile(f"[{_CJK_CHARS}]")
_WORD_CHAR = re.compile(r"[a-z0-9]")
MIN_KEY_LENGTH_CJK = 2
MIN_KEY_LENGTH_LATIN = 3
ALIAS_MIN_LENGTH = 5
# English words too common to stand for a company on their own, even when a name starts with one.
_COMMON_WORDS = frozenset(
    _words(
        "about after again blue green great first global general international national united "
        "royal summit north south east west central pacific atlantic digital smart total prime "
        "first alpha power network advanced applied modern future rapid super tokyo japan china "
        "asia euro american"
    )
)


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")
_ALL_HIRAGANA = re.compile(r"[\u3041-\u309fー]+")


def kana_key(key: str) -> str:
    """`key` with katakana as hiragana, so that ミライ銀行 finds みらい銀行 (one character for one)."""
    return key.translate(_KATAKANA_TO_HIRAGANA)


def _long_enough(key: str) -> bool:
    return len(key) >= (MIN_KEY_LENGTH_CJK if _CJK_RE.search(key) else MIN_KEY_LENGTH_LATIN)


class KnownNames:
    """The team's account names, indexed by their key's first two characters for a fast scan, and
    by length for near matches. Build it once per team and reuse it."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names: dict[str, str] = {}
        self._hiragana_keys: set[str] = set()  # keys written in hiragana where a kana is
        for name in names:
            original = name_key(name)
            key = kana_key(original)
            if _long_enough(key):
                self._names.setdefault(key, name)
                if original == key and _KATAKANA.search(original) is None:
                    self._hiragana_keys.add(key)
        # "Vandelay" for Vandelay Industries: the first word of a Latin name of several words, when
        # it is long, no other name starts with it and it is not a name of its own.
        firsts: dict[str, list[str]] = {}
        for key in self._names:
            words = key.split()
            if len(words) > 1 and key.isascii() and len(words[0]) >= ALIAS_MIN_LENGTH:
                firsts.setdefault(words[0], []).append(key)
        self._aliases = {
            first: self._names[keys[0]]
            for first, keys in firsts.items()
            if len(keys) == 1 and first not in self._names and first not in _COMMON_WORDS
        }
        self._by_head: dict[str, list[str]] = {}
        self._by_length: dict[int, list[str]] = {}
        for key in self._names:
            self._by_head.setdefault(key[:2], []).append(key)
            self._by_length.setdefault(len(key), []).append(key)
        for alias in self._aliases:
            self._by_head.setdefault(alias[:2], []).append(alias)
        for keys in self._by_head.values():
            keys.sort(key=len, reverse=True)

    def __len__(self) -> int:
        return len(self._names)

    def name(self, key: str) -> str | None:
        key = kana_key(key)
        return self._names.get(key) or self._aliases.get(key)

    def longest_at(self, text: str, position: int, typed: str) -> str | None:
        """The longest known key that `text` (kana folded by `kana_key`) spells from `position`, on
        word boundaries for Latin. `typed` is the same text before folding: a katakana name is not
        found in plain hiragana (カラダ工房 is not in "からだ")."""
        for key in self._by_head.get(text[position : position + 2], ()):
            if not text.startswith(key, position):
                continue
            end = position + len(key)
            if key not in self._hiragana_keys and _ALL_HIRAGANA.fullmatch(typed, position, end):
                continue
            if _WORD_CHAR.match(key[0]) and position > 0 and _WORD_CHAR.match(text[position - 1]):
                continue
            if _WORD_CHAR.match(key[-1]) and end < len(text) and _WORD_CHAR.match(text[end]):
                continue
            return key
        return None

    def near(self, key: str) -> tuple[str, ...]:
        """Known names one edit (two for long Latin names) away from `key`."""
        key = kana_key(key)
        if len(key) < 3 or key in self._names:
            return ()
        allowed = 2 if len(key) >= 8 and not _CJK_RE.search(key) else 1
        candidates: list[str] = []
        for length in range(len(key) - allowed, len(key) + allowed + 1):
            candidates.extend(self._by_length.get(length, ()))
        found = process.extract(key, candidates, scorer=Levenshtein.distance, score_cutoff=allowed, limit=3)
        return tuple(self._names[choice] for choice, _distance, _ in sorted(found, key=lambda f: f[1]))


# ---------------------------------------------------------------------------------------------
# Text: Slack markup, folding with a map back to what was typed

_SLACK_USER = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|[^>]*)?>")
_SLACK_SPECIAL = re.compile(r"<![^>]*>")
_SLACK_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]*)(?:\|([^>]*))?>")
_BARE_URL = re.compile(r"https?://\S+")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")


def plain_text(text: str) -> str:
    """Slack's markup as plain text: mentions and emoji go, links keep only their label."""
    text = _SLACK_USER.sub(" ", text)
    text = _SLACK_CHANNEL.sub(" ", text)
    text = _SLACK_SPECIAL.sub(" ", text)
    text = _SLACK_LINK.sub(lambda link: f" {link[2]} " if link[2] and "://" not in link[2] else " ", text)
    text = _BARE_URL.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class _Folded:
    text: str  # NFKC, case folded
    origin: tuple[int, ...]  # for each folded character, its index in the typed text
    typed: str

    def typed_span(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        first = self.origin[start]
        last = self.origin[end - 1]
        return self.typed[first : last + 1].strip()


def _fold(typed: str) -> _Folded:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(typed):
        folded = unicodedata.normalize("NFKC", char).casefold()
        chars.append(folded)
        origin.extend([index] * len(folded))
    return _Folded("".join(chars), tuple(origin), typed)


# The characters name_key drops or turns into a space: a name is scanned in the same form.
_SCAN_PUNCTUATION = set(" \t\r\n,.\u3001\u3002・'\"`()")


def _scan_form(text: str, start: int, end: int) -> tuple[str, list[int]]:
    """text[start:end] as name_key writes names (punctuation as single spaces, no spaces next to
    Japanese), with each character's index in `text`."""
    chars: list[str] = []
    where: list[int] = []
    for index in range(start, end):
        char = text[index]
        if char in _SCAN_PUNCTUATION:
            if chars and chars[-1] != " ":
                chars.append(" ")
                where.append(index)
            continue
        if chars and chars[-1] == " " and _CJK_RE.match(char):
            chars.pop()
            where.pop()
        if chars and chars[-1] == " " and len(chars) >= 2 and _CJK_RE.match(chars[-2]):
            chars.pop()
            where.pop()
        chars.append(char)
        where.append(index)
    return "".join(chars), where


# ---------------------------------------------------------------------------------------------
# Vocabulary

_KIND_PATTERNS: tuple[tuple[str, ActivityKind], ...] = (
    # Japanese (substrings: Japanese has no spaces between words)
    (
        r"電話|架電|zoom|teams|web会議|ウェブ会議|オンライン(?:会議|商談|mtg)?|通話|tel(?![a-z])",
        ActivityKind.CALL,
    ),
    (
        r"会食|食事|ランチ|飲み会|飲み(?!物|込|薬)|夕食|昼食|ディナー|接待|懇親会|飲んだ|飲んで|焼肉|寿司|居酒屋|ご馳走|ごちそう",
        ActivityKind.MEAL,
    ),
    (
        r"(?<!再)訪問|往訪|来社|来訪|面談|商談|打ち?合わ?せ|ミーティング|お会いし|会って|会いました|会った|"
        r"伺い(?:まし|、)|伺った|伺って|伺う|伺います|顔を出|挨拶に|行ってきま|行ってきた|行って来",
        ActivityKind.VISIT,
    ),
    (r"メール(?!アドレス)|mail(?![a-z])", ActivityKind.EMAIL),
    (r"手紙|はがき|ハガキ|葉書|お便り|礼状", ActivityKind.LETTER),
    (
        r"(?<!再)提案(?!依頼|の依頼|の件|の機会|いただいた件|頂いた件)(?:書)?|見積(?:も?り)?(?:書)?(?!依頼|の依頼|を依頼|の件)|プレゼン",
        ActivityKind.PROPOSED,
    ),
    (
        r"受注(?!見込|予定|確度|目標)|成約|契約(?!書|更新|内容|条件|期間|の|に|予定|見込)|発注(?!書|の|予定|見込|する|します|を|が|い)|発注書(?:が届|を受領|受領|をいただ|を頂)|契約(?:締結|成立|いただ|頂|しました|になりました|決定)|発注(?:いただ|頂|をいただ|を頂|が来|きた)|内示|採用(?:決定|が決ま|いただ|させていただ)|導入(?:決定|が決ま|させていただく|することにな)",
        ActivityKind.WON,
    ),
    (r"失注|見送り|不採用|辞退|ロスト|負けました|負けた|取られ|他社に決ま|競合に決ま", ActivityKind.LOST),
    # English (whole words)
    (r"\b(?:had |over |a |for )?(?:lunch|dinner|drinks|breakfast|coffee|meal)\b", ActivityKind.MEAL),
    (
        r"\b(?:met|meet|meeting|visited|visit|visiting|stopped by|dropped by|sat down with|on-?site|"
        r"in person|in-person|mtg)\b",
        ActivityKind.VISIT,
    ),
    (
        r"\b(?:called|call|calling|phoned|phone|rang|spoke on the phone|on the phone|zoom|teams call|"
        r"video call|web meeting|online meeting)\b",
        ActivityKind.CALL,
    ),
    (r"\b(?:emailed|email|e-mail|mailed|wrote to)\b", ActivityKind.EMAIL),
    # "letter of intent" is a document, not a touch.
    (r"\b(?:letter(?! of\b)|postcard|thank-you card)\b", ActivityKind.LETTER),
    (
        r"\b(?:proposal|proposed|propose|quote|quoted|quotation|pitched|pitch|sent the deck|estimate)\b",
        ActivityKind.PROPOSED,
    ),
    (
        r"\b(?:won|win|signed|closed the deal|closed-won|closed won|got the po|po received|received the po|"
        r"purchase order|awarded|chose us|went with us|picked us|deal closed|closed (?:the |a |our )?deal)\b",
        ActivityKind.WON,
    ),
    (
        r"\b(?:lost|lose|went with(?! us)|chose(?! us)|declined|passed on|closed-lost|closed lost)\b",
        ActivityKind.LOST,
    ),
)
_KIND_RE = [(re.compile(pattern), kind) for pattern, kind in _KIND_PATTERNS]

# What makes a kind word a plan rather than something done (searched just after the word in
# Japanese, in the words around it in English).
_PLAN_AFTER_JA = re.compile(
    r"^(?:の|を|に|へ|で|と|が)?(?:予定|つもり|する予定|します|したい|しよう|しに|に行く|へ行く|行きます|"
    r"伺います|を予定|を検討|を出す|を送る|を出します|を送ります|する|予約|調整|しておく|書を出す|書を送る|"
    r"書を提出する|書提出予定|書を作成|書作成|に行って?きます|持っていく|持参予定)"
)
_PLAN_EN = re.compile(
    r"\b(?:will|'ll|plan to|planning to|planned|going to|gonna|need to|have to|should|must|todo|to-do|"
    r"sending|moved to|"
    r"let's|lets|schedule|scheduled|set up|booked|remind me|next step|follow up with)\b"
)
_FOLLOWUP_WORDS = re.compile(
    r"再訪|再提案|フォロー(?:アップ)?(?!メール)|連絡(?:する|します|予定|を入れ)|確認(?:する|します|予定)|"
    r"提出(?:予定|します|する)|アポ|次回|"
    r"\b(?:follow[ -]?up(?! (?:email|e-mail|call|mail|meeting))|check in|check back|circle back|get back to|"
    r"touch base|ping|revisit|next time|next meeting)\b"
)
_TROUBLE_RE = re.compile(
    r"納期遅れ|遅延|遅れ(?:て|が)|立腹|お怒り|怒って|怒られ|クレーム|苦情|不具合|障害|トラブル|不満|返品|"
    r"品質問題|欠品|誤配|請求ミス|解約(?:したい|を検討|の話)|"
    r"\b(?:complain\w*|angry|upset|furious|frustrated|unhappy|escalat\w*|outage|bug|bugs|broken|defect\w*|"
    r"late delivery|delayed|delays?|refund|cancel(?:l?ing)? the contract|threaten\w* to cancel|not happy)\b"
)
# Before an amount: it is not the deal's value (a budget, a competitor's price).
_NOT_DEAL_AMOUNT = re.compile(r"(?:予算|budget|competitor|競合|他社|相場)[^0-9¥$]{0,16}$")
_AMOUNT_RE = re.compile(
    r"(?:月額|月々|年額|年間)?[¥$€£]?\d[\d,]*(?:\.\d+)?(?:[kmb](?![a-z])|億(?:\d[\d,]*(?:千万|百万|万))?|千万|百万|万)?円?(?:/年|/月|/month)?"
    r"|[一二三四五六七八九十百千]+[万億](?:[一二三四五六七八九十百千]+万)?円?"
)

# Where an account is only mentioned: a competitor, who referred the customer.
_PASSING_BEFORE = re.compile(
    r"(?:lost (?:the deal |it |out )?to|went with|chose|competitor|instead of|referred by|referral from|"
    r"introduced by|intro from|via|over|comparing us with|compared with|against|vs\.?|versus|"
    r"競合の?|競合他社の?|他社の?)\s*$"
)
_PASSING_AFTER = re.compile(
    r"^\s*(?:さん|様)?(?:に負け|に取られ|に決ま|に決定|に奪われ|に流れ|の紹介|からの紹介|から紹介|経由|"
    r"に乗り換え|を選|が競合|と競合|と比較|と相見積|と相見積もり|(?:'s )?(?:referral))"
)
_JOINED = re.compile(r"^\s*(?:さん|様)?\s*(?:と|&|and|,|、|・|→|/|->)\s*$")

# ---------------------------------------------------------------------------------------------
# Dates inside sentences

_WEEKDAY_EN = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)"
)
_MONTHS_EN = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_RE = re.compile(
    "|".join(
        (
            r"(?P<en_md>" + _MONTH_NAME + r" (?P<en_day>\d{1,2})(?:st|nd|rd|th)?\b)",
            r"(?P<en_dm>\b(?P<en_day2>\d{1,2})(?:st|nd|rd|th)? (?P<en_mon2>" + _MONTH_NAME + r"))",
            r"(?:令和|平成)\d+年\d+月(?:\d+日)?",
            r"\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:\s?\((?:[月火水木金土日](?:曜日?)?|[a-z]{3,9}\.?)\))?",
            r"(?<![\d/.,])\d{1,2}/\d{1,2}(?![\d/])(?:\s?\((?:[月火水木金土日](?:曜日?)?|[a-z]{3,9}\.?)\))?",
            r"(?:\d{4}年|来年|今年)?\d{1,2}月(?:\d{1,2}日|上旬|中旬|下旬|末|頭|初め)?(?:\s?\((?:[月火水木金土日](?:曜日?)?|[a-z]{3,9}\.?)\))?",
            r"(?<![\d月])\d{1,2}日(?![\d間後前])(?:\s?\((?:[月火水木金土日](?:曜日?)?|[a-z]{3,9}\.?)\))?",
            r"(?:先々週|先週|今週|来週|再来週)(?:の)?(?:[月火水木金土日]曜日?)?",
            r"(?:先月|今月|来月|再来月)(?:の)?(?:\d{1,2}日|上旬|中旬|下旬|末|頭|初め|中)?",
            r"(?<![今来先毎])[月火水木金土日]曜日?",
            r"\d+(?:日|週間|[ヶかカケヵ]月)(?:後|前)",
            r"一昨日|おととい|明後日|あさって|昨日|きのう|今日|本日|きょう|明日|あした|あす|今朝|昨夜|昨晩|今晩|今夜|"
            r"月末|年明け|来期",
            r"\b(?:the )?day (?:after tomorrow|before yesterday)\b",
            r"\b(?:yesterday|today|tomorrow|tmrw|tmr|tmw|tomorow|tommorow|tommorrow|2moro|tonight|"
            r"this morning|this afternoon|last night)\b",
            r"\b(?:last|next|this) (?:week|month|" + _WEEKDAY_EN + r")\b",
            r"\bin (?:\d+|a|one|two|three) (?:days?|weeks?|months?)\b",
            r"\b(?:\d+|a|one|two|three) (?:days?|weeks?) ago\b",
            r"\b(?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
            r"\bon (?:mon|tue|tues|wed|thu|thurs|fri|sat|sun)\b",
            r"\bend of (?:the )?(?:month|week)\b",
        )
    )
)
_TOMORROW = re.compile(r"\b(?:tmrw|tmr|tmw|tomorow|tommorow|tommorrow|2moro)\b")
_NUMBER_WORDS = {"a": "1", "one": "1", "two": "2", "three": "3"}


@dataclass(frozen=True)
class _DatePhrase:
    start: int
    end: int
    past: date | None
    future: date | None
    error: bool = False
    nearest: bool = False  # a day and month without a year: the nearer reading, whatever the tense

    @property
    def fixed(self) -> date | None:
        """The date when both readings agree (it names one day whatever the tense)."""
        return self.past if self.past == self.future else None


def _read_date(phrase: str, today: date) -> tuple[date | None, date | None]:
    """(past reading, future reading) of a folded date phrase; (None, None) when it is none."""
    phrase = phrase.strip().removeprefix("on ").removeprefix("the ")
    special = {
        "this morning": today,
        "this afternoon": today,
        "tonight": today,
        "last night": today - timedelta(days=1),
        "end of month": None,
        "end of the month": None,
    }
    if phrase in special:
        day = special[phrase]
        if day is None:
            day = japanese_date("月末", today, "future")
        return day, day
    if phrase in ("end of week", "end of the week"):
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return friday, friday
    phrase = _TOMORROW.sub("tomorrow", phrase)
    for word, digit in _NUMBER_WORDS.items():
        phrase = re.sub(rf"\b{word} (day|week|month)", rf"{digit} \1", phrase)
    phrase = phrase.replace("の", "") if _CJK_RE.search(phrase) else phrase
    english = re.fullmatch(r"(" + _MONTH_NAME + r") (\d{1,2})(?:st|nd|rd|th)?", phrase) or re.fullmatch(
        r"(\d{1,2})(?:st|nd|rd|th)? (" + _MONTH_NAME + r")", phrase
    )
    if english is not None:
        first, second = english.groups()
        month_word, day_text = (first, second) if not first[0].isdigit() else (second, first)
        month = _MONTHS_EN[month_word.rstrip(".")[:4] if month_word.startswith("sept") else month_word[:3]]
        phrase = f"{month}/{int(day_text)}"
    # One reading may fail where the other holds: 12/4(金) said in November 2026 is this year's
    # Friday, while last year's 12/4 was a Thursday.
    readings: list[date | None] = []
    failed = 0
    prefers: tuple[Prefer, Prefer] = ("past", "future")
    for prefer in prefers:
        try:
            readings.append(parse_date(phrase, today, prefer))
        except ParseError:
            readings.append(None)
            failed += 1
    if failed == 2:
        raise ParseError("bad_date", word=phrase)
    return readings[0], readings[1]


def _find_dates(text: str, start: int, end: int, today: date) -> list[_DatePhrase]:
    found: list[_DatePhrase] = []
    for match in _DATE_RE.finditer(text, start, end):
        phrase = match[0]
        try:
            past, future = _read_date(phrase, today)
        except ParseError:
            found.append(_DatePhrase(match.start(), match.end(), None, None, error=True))
            continue
        if past is None and future is None:
            continue
        nearest = bool(_NEAREST_FORM.search(phrase))
        found.append(_DatePhrase(match.start(), match.end(), past, future, nearest=nearest))
    return found


_NEAREST_FORM = re.compile(
    r"^\d{1,2}/\d{1,2}|^\d{1,2}月\d{1,2}日|^" + _MONTH_NAME + r" \d|^\d{1,2}(?:st|nd|rd|th)? [a-z]"
)


# ---------------------------------------------------------------------------------------------
# Accounts inside sentences

_JA_LEGAL = r"株式会社|有限会社|合同会社|\(株\)|\(有\)|\(同\)"
_NAME_CHAR = r"a-z0-9&\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff々ー・"
_NAME_RUN = rf"[{_NAME_CHAR}][{_NAME_CHAR}.\-]{{0,24}}"
_NEW_AFTER_FORM = re.compile(rf"(?:{_JA_LEGAL})\s?({_NAME_RUN})")
_NEW_BEFORE_FORM = re.compile(rf"({_NAME_RUN})\s?(?:{_JA_LEGAL})")
_NEW_LATIN = re.compile(
    r"((?:[A-Z0-9][\w&'\-]*\s){0,3}[A-Z0-9][\w&'\-]*),?\s"
    r"(?:Inc|Corp|Corporation|Ltd|LLC|Co\.,? Ltd|Co|GmbH|K\.K)\b"
)
_QUOTED = re.compile(r"「([^「」]{2,24})」|\"([^\"]{2,30})\"|“([^”]{2,30})”")
_HONORIFIC_TAIL = re.compile(r"(?:様|御中|殿|さん|さま)$")
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
# Capitalised words that are never a company: a typo check skips them.
_COMMON_CAPITALISED = frozenset(
    _words(
        "i we they he she it the a an met called emailed had sent lunch dinner meeting next last "
        "this today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday "
        "cto ceo cfo coo vp pm po mtg and but also then will need plan proposal quote deal won "
        "lost signed great good quick update fyi re fw note todo ok thanks new their our my follow"
    )
)
_CANDIDATE_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff々ー]{3,12}|[a-z][a-z0-9&\-]{2,20}")


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    ref: AccountRef
    passing: bool = False


def _overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _known_mentions(folded: _Folded, start: int, end: int, known: KnownNames) -> list[_Mention]:
    typed, where = _scan_form(folded.text, start, end)
    scan = kana_key(typed)
    mentions: list[_Mention] = []
    position = 0
    while position < len(scan):
        key = known.longest_at(scan, position, typed) if scan[position] != " " else None
        if key is None:
            position += 1
            continue
        first, last = where[position], where[position + len(key) - 1] + 1
        name = known.name(key) or key
        mentions.append(_Mention(first, last, AccountRef(written=folded.typed_span(first, last), known=name)))
        position += len(key)
    return mentions


def _clean_new_name(name: str) -> str:
    name = _HONORIFIC_TAIL.sub("", name.strip(" .-・"))
    return name.strip()


def _new_mentions(
    folded: _Folded, start: int, end: int, known: KnownNames, taken: list[tuple[int, int]]
) -> list[_Mention]:
    text = folded.text
    found: list[_Mention] = []

    def add(first: int, last: int, name: str, quoted: bool = False) -> None:
        name = _clean_new_name(name)
        if len(name_key(name)) < 2 or _overlaps(first, last, taken):
            return
        key = name_key(name)
        written = folded.typed_span(first + 1, last - 1) if quoted else folded.typed_span(first, last)
        known_name = known.name(key)
        suggestions = known.near(key) if known_name is None else ()
        ref = AccountRef(written=_clean_new_name(written), known=known_name, suggestions=suggestions)
        found.append(_Mention(first, last, ref))
        taken.append((first, last))

    for match in _NEW_AFTER_FORM.finditer(text, start, end):
        add(match.start(), match.end(), match[1])
    for match in _NEW_BEFORE_FORM.finditer(text, start, end):
        run = match[1]
        # Only the name's own characters before the form: no date or verb before it.
        run = re.split(r"[\u3040-\u309f]|\s(?=[\u3400-\u9fff])", run)[-1]
        first = match.end(1) - len(run)
        add(first, match.end(), run)
    typed_start = folded.origin[start] if start < len(folded.origin) else len(folded.typed)
    typed_end = folded.origin[end - 1] + 1 if end > 0 else 0
    for match in _NEW_LATIN.finditer(folded.typed, typed_start, typed_end):
        first = _folded_index(folded, match.start())
        last = _folded_index(folded, match.end())
        words = match[1].split()
        while words and words[0].casefold() in _COMMON_CAPITALISED:
            words.pop(0)
            first = _folded_index(folded, folded.typed.index(words[0], match.start())) if words else last
        if words:
            add(first, last, " ".join(words))
    for match in _QUOTED.finditer(text, start, end):
        inner = match[1] or match[2] or match[3] or ""
        if _HIRAGANA.search(inner) or len(inner.split()) > 4:
            continue  # quoted speech, not a name
        add(match.start(), match.end(), inner, quoted=True)
    return found


def _folded_index(folded: _Folded, typed_index: int) -> int:
    for index, origin in enumerate(folded.origin):
        if origin >= typed_index:
            return index
    return len(folded.origin)


def _near_mentions(
    folded: _Folded, start: int, end: int, known: KnownNames, masked: list[tuple[int, int]]
) -> list[_Mention]:
    found: list[_Mention] = []
    for match in _CANDIDATE_RUN.finditer(folded.text, start, end):
        if _overlaps(match.start(), match.end(), masked):
            continue
        word = match[0]
        typed = folded.typed_span(match.start(), match.end())
        latin = word.isascii()
        if latin and (not typed[:1].isupper() or word in _COMMON_CAPITALISED):
            continue
        suggestions = known.near(name_key(word))
        if suggestions:
            found.append(
                _Mention(match.start(), match.end(), AccountRef(written=typed, suggestions=suggestions))
            )
    return found


def _mark_passing(text: str, mentions: list[_Mention]) -> list[_Mention]:
    marked = []
    for mention in mentions:
        before = text[max(0, mention.start - 24) : mention.start]
        after = text[mention.end : mention.end + 12]
        passing = bool(_PASSING_BEFORE.search(before) or _PASSING_AFTER.match(after))
        marked.append(_Mention(mention.start, mention.end, mention.ref, passing))
    return marked


# ---------------------------------------------------------------------------------------------
# Sentences and clauses

_SENTENCE_END = re.compile(r"[。!?;\n]+|\.(?:\s+|$)|(?:\s|^)(?:then|あと|その後)[、,\s]")
# Inside a sentence: the parts a date belongs to ("call today, proposal next week").
_CLAUSE_SEPARATOR = re.compile(
    r"[、,→\[\]【】|]|(?<!\bw)/|\s[-–—>]+\s|\s(?:and|but|then)\s|[\u2600-\u27bf\U0001f300-\U0001faff]|(?:した|して)ところ"
)
_CANCELLED = re.compile(
    r"キャンセル|中止|延期|リスケ|流れた|\b(?:cancel+ed|postponed|rescheduled|called off)\b"
)
_HEDGED = re.compile(r"可能性|機会|かも|\b(?:might|maybe|possibly|perhaps|may)\b")
_REQUEST = re.compile(
    r"\b(?:want|wants|wanted|asked for|ask for|asking for|need|needs|requested|request|requesting)\s+"
    r"(?:a |an |the |our )?(?:[\w-]+\s)?(?:quote|proposal|quotation|estimate)\b"
)
_NEGATED_AFTER = re.compile(r"(?:は|も)?(?:なし|無し|ゼロ|0件|できず|できなかった)")
_NEGATED_BEFORE = re.compile(r"\bno (?:[\w-]+ )?$")
_ADJACENT = re.compile(r"[\sのを]{0,2}")
# A signature's contact details: "Tel: +1 555 0100", "E-mail: a@b.example", "TEL 03-1234-5678".
_CONTACT_LINE = re.compile(
    r"\b(?:tel|fax)\s*[:.：]?\s*[+(]?\d[\d() -]{5,}|\b(?:phone|mobile|cell|e-?mail|mail)\s*[:：]\s*\S+"
)
_PAST_TENSE = re.compile(r"\b(?:\w+ed|met|sent|had|won|lost|rang|spoke|went with|got the po)\b")
_FUTURE_VERB = re.compile(r"伺う|伺います|訪問します|行きます")


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    bounds = [start]
    for match in _CLAUSE_SEPARATOR.finditer(text, start, end):
        bounds.append(match.start())
        bounds.append(match.end())
    bounds.append(end)
    return [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]


@dataclass(frozen=True)
class _KindWord:
    start: int
    end: int
    kind: ActivityKind | None  # None: a follow-up word without a kind (再訪, follow up)
    planned: bool
    clause: int


def _clause_of(position: int, clauses: list[tuple[int, int]]) -> int:
    for index, (start, end) in enumerate(clauses):
        if start <= position < end:
            return index
    return len(clauses) - 1


def _kind_words(
    text: str, start: int, end: int, clauses: list[tuple[int, int]], masked: list[tuple[int, int]]
) -> list[_KindWord]:
    words: list[_KindWord] = []
    taken = list(masked)
    for pattern in (_REQUEST, _CONTACT_LINE):
        taken += [(match.start(), match.end()) for match in pattern.finditer(text, start, end)]
    for follow in _FOLLOWUP_WORDS.finditer(text, start, end):
        if _overlaps(follow.start(), follow.end(), taken):
            continue
        words.append(_KindWord(follow.start(), follow.end(), None, True, _clause_of(follow.start(), clauses)))
        taken.append((follow.start(), follow.end()))
    for pattern, kind in _KIND_RE:
        for match in pattern.finditer(text, start, end):
            if _overlaps(match.start(), match.end(), taken):
                continue
            taken.append((match.start(), match.end()))
            clause = clauses[_clause_of(match.start(), clauses)]
            planned = _planned(text, match.start(), match.end(), clause[0], clause[1])
            words.append(
                _KindWord(match.start(), match.end(), kind, planned, _clause_of(match.start(), clauses))
            )
    kept: list[_KindWord] = []
    for word in sorted(words, key=lambda word: word.start):
        clause_text = text[clauses[word.clause][0] : clauses[word.clause][1]]
        if _NEGATED_AFTER.match(text, word.end, end) or _NEGATED_BEFORE.search(text, start, word.start):
            continue  # "商談なし", "no meetings"
        if _CANCELLED.search(clause_text):
            continue  # "lunch was cancelled": nothing happened
        if word.planned and _HEDGED.search(clause_text):
            continue  # "提案の可能性あり": a chance, not a plan
        previous = kept[-1] if kept else None
        # One thing said in two words: "訪問アポ", "見積提出予定", "meeting in person".
        if (
            previous is not None
            and _ADJACENT.fullmatch(text, previous.end, word.start)
            and (previous.kind is None or word.kind is None or previous.kind == word.kind)
        ):
            merged_kind = previous.kind or word.kind
            planned = previous.planned or word.planned
            kept[-1] = _KindWord(previous.start, word.end, merged_kind, planned, previous.clause)
            continue
        kept.append(word)
    return kept


def _planned(text: str, start: int, end: int, clause_start: int, clause_end: int) -> bool:
    if not text[start].isascii():
        if _FUTURE_VERB.fullmatch(text, start, end):
            return True
        return bool(_PLAN_AFTER_JA.match(text, end, min(clause_end, end + 12)))
    if _PAST_TENSE.search(text, start, end):
        return False  # "emailed the SOW, they'll sign next week": the e-mail is done
    return bool(_PLAN_EN.search(text[clause_start : min(clause_end, end + 20)]))


# ---------------------------------------------------------------------------------------------
# Reading a message


@dataclass
class _Context:
    account: _Mention | None = None
    on: date | None = None
    activities: list[Activity] = field(default_factory=list)
    followups: list[Followup] = field(default_factory=list)
    troubles: list[Trouble] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    seen: dict[str, _Mention] = field(default_factory=dict)  # the accounts the message is about


def extract(text: str, today: date, known_names: Sequence[str] | KnownNames) -> Extraction:
    """What the message `text` proposes to log. Pass a `KnownNames` built once to read many
    messages of one team quickly; a plain list is indexed on each call."""
    known = known_names if isinstance(known_names, KnownNames) else KnownNames(known_names)
    # NFKC first, whole: half-width kana with their sound marks (ｴﾝｼﾞﾆｱ) compose only together.
    folded = _fold(unicodedata.normalize("NFKC", plain_text(text)))
    sentences = _sentences(folded.text)
    context = _Context()
    for start, end in sentences:
        _read_sentence(folded, start, end, today, known, context)
    if any(unread.reason == "no_account" for unread in context.unread) and len(context.seen) == 1:
        # One company in the whole message, named after what was said about it (a pasted e-mail
        # signed "Procurement, Acme Corp"): what came before is about it too.
        context = _Context(account=next(iter(context.seen.values())))
        for start, end in sentences:
            _read_sentence(folded, start, end, today, known, context)
    followups: list[Followup] = []
    for followup in context.followups:
        if not any(
            f.account.proposed == followup.account.proposed and f.due == followup.due for f in followups
        ):
            followups.append(followup)
    return Extraction(
        activities=_merge(context.activities),
        followups=tuple(followups),
        troubles=tuple(context.troubles),
        unread=tuple(context.unread),
    )


def _merge(activities: list[Activity]) -> tuple[Activity, ...]:
    """One activity per thing done with one account on one day: a proposal or deal sent by mail
    or phone is the proposal or deal; a visit with a meal is the meal; a meeting on a call is the
    call; the deal won is not also proposed; the same kind twice is once."""
    groups: dict[tuple[str, date], list[Activity]] = {}
    for activity in activities:
        groups.setdefault((name_key(activity.account.proposed), activity.on), []).append(activity)
    kept: list[Activity] = []
    for activity in activities:
        group = groups[(name_key(activity.account.proposed), activity.on)]
        kinds = {other.kind for other in group}
        drop: set[ActivityKind] = set()
        if kinds & {ActivityKind.PROPOSED, ActivityKind.WON, ActivityKind.LOST}:
            drop |= {ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.LETTER}
        if ActivityKind.MEAL in kinds:
            drop.add(ActivityKind.VISIT)
        if ActivityKind.LETTER in kinds:
            drop.add(ActivityKind.EMAIL)  # "mailed a letter" is the letter
        if ActivityKind.CALL in kinds and ActivityKind.VISIT in kinds:
            drop.add(ActivityKind.VISIT)
        if kinds & {ActivityKind.WON, ActivityKind.LOST}:
            drop.add(ActivityKind.PROPOSED)
        if activity.kind in drop:
            continue
        same = [
            other
            for other in kept
            if other.kind == activity.kind
            and other.on == activity.on
            and name_key(other.account.proposed) == name_key(activity.account.proposed)
        ]
        if same:
            if same[0].amount is None and activity.amount is not None:
                kept[kept.index(same[0])] = Activity(
                    same[0].account, same[0].kind, same[0].on, activity.amount, same[0].note
                )
            continue
        kept.append(activity)
    return tuple(kept)


def _read_sentence(
    folded: _Folded, start: int, end: int, today: date, known: KnownNames, context: _Context
) -> None:
    text = folded.text
    sentence = folded.typed_span(start, end)
    clauses = _clauses(text, start, end)
    dates = _find_dates(text, start, end, today)
    date_spans = [(phrase.start, phrase.end) for phrase in dates]
    mentions = _known_mentions(folded, start, end, known)
    mentions = [mention for mention in mentions if not _overlaps(mention.start, mention.end, date_spans)]
    taken = [(mention.start, mention.end) for mention in mentions] + date_spans
    mentions += _new_mentions(folded, start, end, known, taken)
    kinds = _kind_words(text, start, end, clauses, [(m.start, m.end) for m in mentions])
    troubles = list(_TROUBLE_RE.finditer(text, start, end))
    masked = (
        taken
        + [(word.start, word.end) for word in kinds]
        + [(match.start(), match.end()) for match in troubles]
        + [(mention.start, mention.end) for mention in mentions]
    )
    mentions += _near_mentions(folded, start, end, known, masked)
    mentions = sorted(_mark_passing(text, mentions), key=lambda mention: mention.start)
    active = [mention for mention in mentions if not mention.passing]
    amounts = _find_amounts(text, start, end, date_spans)
    # Japanese puts the account before the verb, English after it; a sentence with any Japanese
    # outside the names in it is read as Japanese ("みらい銀行 TEL").
    outside = "".join(
        char
        for index, char in enumerate(text[start:end], start)
        if not any(m.start <= index < m.end for m in mentions)
    )
    japanese = bool(_CJK_RE.search(outside))

    logged_before = len(context.activities)
    for word in kinds:
        accounts = _accounts_for(text, word, active, context, japanese)
        phrase = _date_for(word, kinds, dates, clauses, japanese)
        if phrase is not None and phrase.error:
            context.unread.append(Unread(sentence, "bad_date", _describe(word, accounts)))
            continue
        planned = word.planned or word.kind is None
        if planned and word.kind in (ActivityKind.WON, ActivityKind.LOST):
            continue  # "来週発注の予定", "受注予定": a forecast, nothing to log yet
        on = _pick_date(phrase, planned, today) if phrase is not None else None
        if on is not None and on > today and word.kind in (ActivityKind.WON, ActivityKind.LOST):
            on = today  # "来月より導入させていただく": won today; the date is when it starts
        elif on is not None and on > today and word.kind is not None:
            planned = True
        if not accounts:
            context.unread.append(Unread(sentence, "no_account", _describe(word, accounts, on)))
            continue
        if _alternatives(text, accounts, active):
            context.unread.append(Unread(sentence, "two_accounts", _describe(word, accounts, on)))
            continue
        if planned:
            if on is None:
                context.unread.append(Unread(sentence, "no_date", _describe(word, accounts)))
                continue
            if on <= today:
                context.unread.append(Unread(sentence, "past_date", _describe(word, accounts, on)))
                continue
            what = word.kind.value if word.kind is not None else text[word.start : word.end]
            for account in accounts:
                context.followups.append(Followup(account.ref, on, what))
            continue
        assert word.kind is not None
        day = on or context.on or today
        amount = _amount_for(word, kinds, amounts)
        for account in accounts:
            context.activities.append(Activity(account.ref, word.kind, day, amount, sentence))
        context.on = day
    for trouble in troubles:
        word = _KindWord(trouble.start(), trouble.end(), None, False, 0)
        accounts = _accounts_for(text, word, active, context, japanese)
        if not accounts:
            context.unread.append(Unread(sentence, "no_account", f"trouble: {trouble[0]}"))
            break
        for account in accounts:
            if not any(existing.account.proposed == account.ref.proposed for existing in context.troubles):
                context.troubles.append(Trouble(account.ref, sentence))
        break
    if active:
        context.account = active[-1]
    for mention in active:
        context.seen.setdefault(name_key(mention.ref.proposed), mention)
    if len(context.activities) == logged_before and logged_before and sentence:
        _add_to_last(context, sentence, [] if kinds else amounts)


def _add_to_last(context: _Context, sentence: str, amounts: list[_Amount]) -> None:
    """A sentence that logs no activity of its own belongs to the last activity's note ("予算は1200万
    くらい"); with no kind word at all, its amount is the last deal's when that was said apart
    ("受注！ 800万", "金額は1200万です")."""
    last = context.activities[-1]
    amount = last.amount
    if amount is None and last.kind.is_deal:
        amount = next((found.value for found in amounts if found.deal), None)
    context.activities[-1] = Activity(last.account, last.kind, last.on, amount, f"{last.note}\n{sentence}")


def _describe(word: _KindWord, accounts: list[_Mention], on: date | None = None) -> str:
    what = word.kind.value if word.kind is not None else "follow-up"
    parts = [what]
    if accounts:
        parts.append(", ".join(account.ref.proposed for account in accounts))
    if on is not None:
        parts.append(on.isoformat())
    return " · ".join(parts)


def _accounts_for(
    text: str, word: _KindWord, active: list[_Mention], context: _Context, japanese: bool
) -> list[_Mention]:
    """The account(s) a kind word is about: the nearest on the language's side, with those joined
    to it by と / and; else the one the message was talking about."""
    if not active:
        return [context.account] if context.account is not None else []
    before = [mention for mention in active if mention.end <= word.start]
    after = [mention for mention in active if mention.start >= word.end]
    first, second = (before[::-1], after) if japanese else (after, before[::-1])
    chosen = first[0] if first else second[0] if second else active[0]
    group = [chosen]
    ordered = sorted(active, key=lambda mention: mention.start)
    index = ordered.index(chosen)
    for step in (-1, 1):
        position = index
        while 0 <= position + step < len(ordered):
            near, far = ordered[position], ordered[position + step]
            gap = text[min(near.end, far.end) : max(near.start, far.start)]
            if not _JOINED.match(gap):
                break
            group.append(far)
            position += step
    return sorted(group, key=lambda mention: mention.start)


_OR = re.compile(r"^\s*(?:さん|様)?\s*(?:か|または|もしくは|or|either|/or)\s*$")


def _alternatives(text: str, accounts: list[_Mention], active: list[_Mention]) -> bool:
    """Whether the account is one of two said as alternatives ("AかBに訪問", "Acme or Globex"):
    which one is for the rep to say."""
    ordered = sorted(active, key=lambda mention: mention.start)
    for account in accounts:
        index = ordered.index(account) if account in ordered else -1
        for neighbour in (index - 1, index + 1):
            if index < 0 or not 0 <= neighbour < len(ordered):
                continue
            near, far = sorted((ordered[index], ordered[neighbour]), key=lambda mention: mention.start)
            if _OR.match(text[near.end : far.start]):
                return True
    return False


def _date_for(
    word: _KindWord,
    kinds: list[_KindWord],
    dates: list[_DatePhrase],
    clauses: list[tuple[int, int]],
    japanese: bool,
) -> _DatePhrase | None:
    """The date of a kind word: the nearest in its own clause (in Japanese, one after the word
    only when no other kind word follows it); else the nearest earlier one in a clause that has
    no kind word of its own."""
    own = [phrase for phrase in dates if _clause_of(phrase.start, clauses) == word.clause]
    usable = []
    for phrase in own:
        between = (phrase.end, word.start) if phrase.end <= word.start else (word.end, phrase.start)
        if any(other.kind != word.kind and between[0] <= other.start < between[1] for other in kinds):
            continue
        if (
            japanese
            and phrase.start >= word.end
            and any(other.start >= phrase.end and other.clause == word.clause for other in kinds)
        ):
            continue
        usable.append(phrase)
    if usable:
        return min(usable, key=lambda phrase: abs(phrase.start - word.start))
    busy = {other.clause for other in kinds}
    earlier = [
        phrase
        for phrase in dates
        if phrase.end <= word.start and _clause_of(phrase.start, clauses) not in busy
    ]
    return earlier[-1] if earlier else None


def _pick_date(phrase: _DatePhrase, planned: bool, today: date) -> date | None:
    if phrase.fixed is not None:
        return phrase.fixed
    past, future = phrase.past, phrase.future
    if past is None or future is None:
        return past or future
    if planned:
        return future
    if not phrase.nearest:
        return past  # a weekday or a day of the month: what was done is in the past
    # A month and day with no year: the nearer reading (12/4 said on 11/27 is next week's).
    return future if (future - today) < (today - past) and (future - today).days <= 45 else past


_DEALS = (ActivityKind.WON, ActivityKind.LOST, ActivityKind.PROPOSED)


@dataclass(frozen=True)
class _Amount:
    start: int
    end: int
    value: int
    deal: bool  # False: a budget or a competitor's price, for the note only


def _find_amounts(text: str, start: int, end: int, date_spans: list[tuple[int, int]]) -> list[_Amount]:
    found: list[_Amount] = []
    for match in _AMOUNT_RE.finditer(text, start, end):
        token = match[0]
        if _overlaps(match.start(), match.end(), date_spans):
            continue
        has_unit = token[0] in "¥$€£" or token[-1] in "万億円kmb" or "/" in token
        if not has_unit and len(token.replace(",", "")) < 5:
            continue
        try:
            value = parse_amount(token)
        except ParseError:
            continue
        deal = not _NOT_DEAL_AMOUNT.search(text[max(start, match.start() - 24) : match.start()])
        found.append(_Amount(match.start(), match.end(), value, deal))
    return found


def _amount_for(word: _KindWord, kinds: list[_KindWord], amounts: list[_Amount]) -> int | None:
    if word.kind not in (ActivityKind.WON, ActivityKind.LOST, ActivityKind.PROPOSED):
        return None
    best: _Amount | None = None
    best_distance = 10**9
    for amount in amounts:
        if not amount.deal:
            continue
        low, high = (amount.end, word.start) if amount.end <= word.start else (word.end, amount.start)
        if any(other is not word and other.kind in _DEALS and low <= other.start < high for other in kinds):
            continue
        if high - low < best_distance:
            best, best_distance = amount, high - low
    return best.value if best is not None else None
