"""The console in Japanese (issue 13, item 4): with the user's locale Japanese, the console's own words
(help, form prompts, refusals, the goodbye) are Japanese like the bot's replies; English stays as it was
by default. Driven as a developer types into `pyramid-bot console`, against the real app."""

from __future__ import annotations

import re

from bot.clock import FixedClock
from bot.db import Database
from tests.support.console import type_into_console

# What may stay in Latin letters inside Japanese output: the commands and words the user types, ids,
# key names, and the product's own names. The rest must not hold an English phrase.
_TYPED = [
    r"`[^`]*`",  # `cancel`, `pyramid-bot db upgrade` …
    r"(?m)^pyramid> .*$",  # the lines the user typed, echoed
    r"/[a-z]+(?: [a-z|\[\]<>@.-]+)*",  # /meeting … [call|email|letter|visit|meal], /pyramid settings
    r"\b(?:help|buttons|quit|exit|digest|cancel|edit|Ctrl-D|Enter|App Home|Pyramid|Slack|DM)\b",
    r"\b[UTCVDW][0-9A-Z]{4,}\b",
]
_ENGLISH = re.compile(r"[A-Za-z]{4,} [a-z]{3,}")


def english_left(printed: str) -> list[str]:
    """The English phrases left once what a user types (commands, ids, key names) is taken out."""
    rest = printed
    for pattern in _TYPED:
        rest = re.sub(pattern, " ", rest)
    return [line for line in rest.splitlines() if _ENGLISH.search(line)]


def test_help_refusals_and_goodbye_are_japanese(db: Database, clock: FixedClock, database_url: str) -> None:
    lines = "help\nbuttons\n7\n/nope\ndigest\nquit\n"
    printed = type_into_console(db, clock, database_url, lines, locale="ja").printed
    assert "Pyramid コンソール：" in printed, printed
    assert "スラッシュコマンドを入力してください" in printed
    assert "/meeting <取引先> [call|email|letter|visit|meal] [日付] [-- メモ]" in printed
    assert "接触（電話・メール・訪問など）を記録" in printed
    assert "今朝のダイジェストをいますぐ自分に送る" in printed  # the local command `digest`
    assert "押せるボタンはまだありません。" in printed  # `buttons` and `7` before any listing
    assert "！/nope はこのボットのコマンドではありません（help で一覧を表示できます）。" in printed
    assert "お疲れさまでした。" in printed
    assert english_left(printed) == [], english_left(printed)


def test_a_form_is_walked_in_japanese(db: Database, clock: FixedClock, database_url: str) -> None:
    # /meeting with no text opens the log form: its prompts, the refusal of a bad choice, the
    # submission and the closing are the console's words; the labels are the bot's (Japanese too).
    lines = "/meeting\n山田商事\n1\n9\n2\n\n\n/meeting\ncancel\nquit\n"
    printed = type_into_console(db, clock, database_url, lines, locale="ja").printed
    hint = "フォームに入力してください。Enter で表示中の値のまま進み、`cancel` で閉じます。"
    assert hint in printed, printed
    assert "取引先［入力して検索・Enter ですべて表示］：" in printed
    assert "取引先［1 の番号で選ぶか、別の言葉で検索］：" in printed
    assert "  4) 訪問  （現在の値）" in printed
    assert "種類［1-5・Enter で 訪問 のまま］：9\n  1〜5 の番号を1つ選んでください。" in printed
    assert "メモ（任意）［複数行可、空行で終了］：" in printed
    assert "フォームを送信しました。\n\n— あなただけに表示 —\n*山田商事* とのメールを" in printed
    assert "フォームを閉じました。" in printed
    assert english_left(printed) == [], english_left(printed)


def test_english_stays_as_it_was_by_default(db: Database, clock: FixedClock, database_url: str) -> None:
    lines = "buttons\n/meeting\ncancel\nquit\n"
    printed = type_into_console(db, clock, database_url, lines, locale="en").printed
    assert "Pyramid console: Slack without Slack. You are @you (U0LOCAL) in #console." in printed
    assert "  help" in printed and "this list" in printed
    assert "/meeting <account> [call|email|letter|visit|meal] [date] [-- note]  log a touch" in printed
    assert "No buttons to press yet." in printed
    assert "Fill in the form: Enter keeps the value shown, `cancel` closes it." in printed
    assert "Form closed." in printed and printed.rstrip().endswith("Bye.")
    assert english_left(printed), "the check of the Japanese tests finds English where there is some"
