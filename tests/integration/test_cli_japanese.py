"""`pyramid-bot` in Japanese (issue 13, item 4): the CLI has no Slack user, so PYRAMID_LOCALE=ja makes
its messages Japanese, the import's per-row problems included (with their line numbers), while what
scripts read stays as it is: ids, file names, the digest/summary outcome values. English is unchanged
by default (tests/integration/test_cli.py and the others assert it)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.cli import main
from bot.db import Database
from bot.i18n import t
from bot.models import Account
from bot.services.imports import ImportProblem, read_import
from tests.support import factories
from tests.support.database import cli_environment

# What may stay in Latin letters in a Japanese line: ids, file paths, options, setting names, quoted
# values and table names; anything else left that looks like an English phrase is a missed message.
_KEPT = [
    r"\S*/\S+",  # paths
    r"--[a-z-]+(?: T…)?",
    r"\b[A-Z][A-Z0-9_]{3,}\b",  # SLACK_BOT_TOKEN, T0GONE, U0REP1
    r"「[^」]*」",  # the values quoted from the file
    r"`[^`]*`",
    r"\b(?:step_changes|team_settings|accounts|activities|followups|recoveries|README|Pyramid)\b",
]
_ENGLISH = re.compile(r"[A-Za-z]{4,} [a-z]{3,}")


def english_left(text: str) -> list[str]:
    rest = text
    for pattern in _KEPT:
        rest = re.sub(pattern, " ", rest)
    return [line for line in rest.splitlines() if _ENGLISH.search(line)]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Iterator[None]:
    cli_environment(monkeypatch, database_url, tmp_path, PYRAMID_LOCALE="ja")
    yield


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text(text, encoding="utf-8")
    return path


BAD_ROWS = (
    "会社名,担当者,ステージ,最終接触日\n"  # 1
    "山田商事,U0SATO,,\n"  # 2
    "丸山印刷,not-a-user,,\n"  # 3: an owner that is not an id (no token to resolve names)
    "大和電機,U0SATO,大口,\n"  # 4: an unknown step
    ",U0SATO,,\n"  # 5: no name
    "山田商事,U0SATO,,\n"  # 6: the same account as line 2
    "東邦化学,U0SATO,,来年\n"  # 7: not a date
    "東邦物産,,,\n"  # 8: no owner
)


def test_every_bad_row_is_said_in_japanese_with_its_line(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(_csv(tmp_path, BAD_ROWS)), "--team", "T1"]) == 1
    err = capsys.readouterr().err
    assert "3行目：担当者「not-a-user」は Slack のユーザー ID（例：U012ABCDEF）ではありません。" in err, err
    assert "4行目：ステップ「大口」が分かりません（" in err
    assert "5行目：会社名が空です。" in err
    assert "6行目：2行目と同じ取引先です。" in err
    assert "7行目：最終接触日「来年」は日付として読めません。" in err
    assert "8行目：担当者が空です（" in err
    refused = "問題のある行が6行あるため、何も取り込んでいません（修正するか、--skip-bad を付けて実行"
    assert refused in err
    assert english_left(err) == [], english_left(err)


def test_an_import_is_reported_in_japanese(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _csv(tmp_path, BAD_ROWS)
    assert main(["import", str(path), "--team", "T1", "--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "T1 に取り込みました：新規1社、更新0社、変更なし0社、問題があり飛ばした行6行。" in out, out
    assert english_left(out) == []


def test_files_and_teams_refused_in_japanese(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(tmp_path / "nope.csv"), "--team", "T1"]) == 2
    assert f"{tmp_path / 'nope.csv'} を読み込めません：" in capsys.readouterr().err
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"name,owner\n\x81\x7f\xff,U0REP1\n")
    assert main(["import", str(odd), "--team", "T1"]) == 2
    err = capsys.readouterr().err
    assert "UTF-8 でも Shift_JIS（CP932）でもないファイルです。" in err and english_left(err) == []
    assert main(["import", str(_csv(tmp_path, "firm,person\nAcme,U0REP1\n")), "--team", "T1"]) == 1
    err = capsys.readouterr().err
    assert "1行目：見出し行に「会社名」と「担当者」の列が必要です（足りない列：name, owner）。" in err, err
    assert main(["import", str(_csv(tmp_path, "会社名,担当者\n山田商事,U0SATO\n"))]) == 2
    err = capsys.readouterr().err
    assert "--team T… で取り込み先のチームを指定してください（データベースには0チームあります）。" in err
    assert english_left(err) == []


def test_db_commands_in_japanese(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "データベースは最新の状態です。" in capsys.readouterr().out
    factories.log_in(db, "山田商事", "call", team="T0TEAM1")
    assert main(["db", "check"]) == 0
    out = capsys.readouterr().out
    assert "取引先1社を確認しました。活動履歴と合わない取引先：0社（食い違い0件）。" in out
    with db.transaction() as session:
        session.execute(update(Account).values(remote_touches=0))
    assert main(["db", "check", "--fix"]) == 0
    out = capsys.readouterr().out
    assert "（山田商事）：remote_touches が 0 ですが、正しくは 1 です" in out, out
    assert "活動履歴と合わない取引先：1社（食い違い1件）。" in out
    assert "1社を修復しました。" in out
    assert english_left(out) == [], english_left(out)


def test_team_delete_in_japanese(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["team", "delete", "T0NOBODY", "--yes"]) == 0
    assert "チーム T0NOBODY のデータはデータベースにありません。" in capsys.readouterr().out
    factories.log_in(db, "山田商事", "call", team="T0GONE")
    monkeypatch.setattr("sys.stdin", io.StringIO("T0OTHER\n"))
    assert main(["team", "delete", "T0GONE"]) == 1
    out = capsys.readouterr().out
    assert "チーム T0GONE：accounts 1行、activities 1行" in out, out
    assert "すべて削除しますか？確認のため、チーム ID（T0GONE）を入力してください：" in out
    assert "何も削除していません。" in out
    assert main(["team", "delete", "T0GONE", "--yes"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"チーム T0GONE のデータを\d+行削除しました。", out), out
    assert english_left(out) == [], english_left(out)


@pytest.mark.parametrize("command", ["digest", "summary", "scheduler"])
def test_a_command_that_posts_without_a_token_says_so_in_japanese(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert f"{command} を実行するには SLACK_BOT_TOKEN、または SLACK_CLIENT_ID と SLACK_CLIENT_SECRET" in err
    assert english_left(err) == [], english_left(err)


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ("山田商事,U0SATO,大口,", "import_step_unknown"),
        ("山田商事,U0SATO,,来年", "import_contact_not_date"),
        ("山田商事,U0SATO,,2030-01-01", "import_contact_future"),
        (",U0SATO,,", "import_name_empty"),
        ("山田商事,,,", "import_owner_empty"),
        ("山田商事,someone,,", "import_owner_not_id"),
        ("山" * 121 + ",U0SATO,,", "import_name_long"),
    ],
)
def test_a_problem_is_a_key_and_params_said_in_either_language(row: str, code: str) -> None:
    from datetime import date

    _, problems = read_import(f"会社名,担当者,ステージ,最終接触日\n{row}\n", today=date(2026, 11, 29))
    [(line, problem)] = problems
    assert line == 2 and isinstance(problem, ImportProblem) and problem.code == code
    assert str(problem) == problem.said("en") == t("en", code, **problem.params)  # English as a str
    japanese = problem.said("ja")
    assert japanese != str(problem) and english_left(japanese) == [], japanese


def test_the_progress_line_on_a_terminal_is_japanese_too() -> None:
    from bot.services.exports import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = Progress(t("ja", "cli_progress_imported"), terminal, interval=0.0, locale="ja")
    progress(1000)
    progress.finish(2500)
    assert (
        terminal.getvalue().startswith("\r取り込み：1,000行（毎秒")
        and "\r取り込み：2,500行（毎秒" in terminal.getvalue()
    )
