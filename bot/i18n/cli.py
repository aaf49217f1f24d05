"""Messages of one topic (the `pyramid-bot` command line and the import's per-row problems), English and
Japanese; merged into the catalogues by en.py and ja.py. The CLI has no Slack user: PYRAMID_LOCALE picks
the language. Machine-read parts (team and user ids, dates, the outcome values sent/failed/…, file
names, table names) stay as they are in both languages. Keys must match between EN and JA."""

EN: dict[str, str] = {
    # pyramid-bot import
    "cli_cannot_read": "Cannot read {file}: {error}",
    "cli_not_text": "Cannot read {file}: it is neither UTF-8 nor Shift_JIS (CP932) text.",
    "cli_import_line": "line {line}: {problem}",
    "cli_import_refused": "{count} bad rows: nothing was imported (fix them, or use --skip-bad).",
    "cli_which_team": "Say which team with --team T… (the database holds {count} teams).",
    "cli_imported": (
        "Imported into {team}: {created} created, {updated} updated, {unchanged} unchanged,"
        " {skipped} bad rows skipped."
    ),
    "cli_progress_imported": "Imported",
    "cli_progress_exported": "Exported",
    "cli_progress": "{what}: {done} rows, {rate} rows/s",
    # The import's problems, one per line of the file (the CLI prefixes "line N: ").
    "import_no_columns": "the header needs the columns name and owner (missing: {missing})",
    "import_duplicate": "the same account as line {line}",
    "import_unreadable": "unreadable",
    "import_name_empty": "the name is empty",
    "import_name_long": "the name is longer than {max} characters",
    "import_owner_empty": "the owner is empty (a Slack user id, an e-mail address or a name)",
    "import_step_unknown": "step {step!r} is not one of {steps} (or 2.1, 顧客 …)",
    "import_segment_long": "the segment is longer than {max} characters",
    "import_contact_no_today": "a last-contact date needs today's date to be read",
    "import_contact_not_date": "last contact {text!r} is not a date",
    "import_contact_future": "last contact {text!r} is in the future",
    "import_owner_not_id": "owner {owner!r} is not a Slack user id such as U012ABCDEF",
    "import_owner_unknown": "owner {owner!r} is no one (or more than one) in this workspace",
    # Commands that post to Slack, and the ways to start
    "cli_needs_token": (
        "{command} needs SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (see README)."
    ),
    "cli_start_console": (
        "No SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET) / SLACK_SIGNING_SECRET set: "
        "starting the local console.\n"
    ),
    "cli_serve_needs": (
        "serve needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and "
        "SLACK_CLIENT_SECRET for many workspaces (see README)."
    ),
    "cli_socket_needs": "socket needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (see README).",
    "cli_schema_behind": (
        "The database schema is at {found}; this version of Pyramid needs {heads}.\n"
        "Run `pyramid-bot db upgrade` (or set PYRAMID_MIGRATE_ON_START=true), then start again."
    ),
    "cli_schema_empty": "no Pyramid tables",
    # digest / summary: one line per run; the outcome values (sent, failed, already…) are read by scripts.
    "cli_digest_run": "{team} {user} {day}: {outcome}",
    "cli_summary_run": "{team} {day}: summary {outcome}, chart {chart}",
    # team delete
    "cli_team_nothing": "The database holds nothing of team {team}.",
    "cli_team_count": "{count} {table}",
    "cli_team_listing": "Team {team}: {listed}.",
    "cli_team_confirm": "Delete all of it? Type the team id ({team}) to confirm: ",
    "cli_team_kept": "Nothing was deleted.",
    "cli_team_deleted": "Deleted {count} rows of team {team}.",
    # db upgrade / db check
    "cli_db_up_to_date": "Database is up to date.",
    "cli_check_mismatch": "{team} account {id} ({account}): {field} is {stored}, expected {expected}",
    "cli_check_totals": (
        "{checked} accounts checked, {wrong} disagree with their activities ({mismatches} mismatches)."
    ),
    "cli_check_repaired": "Repaired {count} accounts.",
    "cli_check_still_wrong": "still wrong: {line}",
}

JA: dict[str, str] = {
    "cli_cannot_read": "{file} を読み込めません：{error}",
    "cli_not_text": "{file} を読み込めません：UTF-8 でも Shift_JIS（CP932）でもないファイルです。",
    "cli_import_line": "{line}行目：{problem}",
    "cli_import_refused": (
        "問題のある行が{count}行あるため、何も取り込んでいません（修正するか、--skip-bad を付けて実行してください）。"
    ),
    "cli_which_team": "--team T… で取り込み先のチームを指定してください（データベースには{count}チームあります）。",
    "cli_imported": (
        "{team} に取り込みました：新規{created}社、更新{updated}社、変更なし{unchanged}社、"
        "問題があり飛ばした行{skipped}行。"
    ),
    "cli_progress_imported": "取り込み",
    "cli_progress_exported": "書き出し",
    "cli_progress": "{what}：{done}行（毎秒{rate}行）",
    "import_no_columns": "見出し行に「会社名」と「担当者」の列が必要です（足りない列：{missing}）。",
    "import_duplicate": "{line}行目と同じ取引先です。",
    "import_unreadable": "読み取れません。",
    "import_name_empty": "会社名が空です。",
    "import_name_long": "会社名が{max}文字を超えています。",
    "import_owner_empty": "担当者が空です（Slack のユーザー ID、メールアドレス、または名前を入れてください）。",
    "import_step_unknown": "ステップ「{step}」が分かりません（{steps}、または 2.1、顧客 などで書いてください）。",
    "import_segment_long": "セグメントが{max}文字を超えています。",
    "import_contact_no_today": "最終接触日を読むには今日の日付が必要です。",
    "import_contact_not_date": "最終接触日「{text}」は日付として読めません。",
    "import_contact_future": "最終接触日「{text}」が未来の日付です。",
    "import_owner_not_id": "担当者「{owner}」は Slack のユーザー ID（例：U012ABCDEF）ではありません。",
    "import_owner_unknown": "担当者「{owner}」はこのワークスペースに見つからないか、同じ名前の人が複数います。",
    "cli_needs_token": (
        "{command} を実行するには SLACK_BOT_TOKEN、または SLACK_CLIENT_ID と SLACK_CLIENT_SECRET の設定が必要です"
        "（README を参照してください）。"
    ),
    "cli_start_console": (
        "SLACK_BOT_TOKEN（または SLACK_CLIENT_ID と SLACK_CLIENT_SECRET）と SLACK_SIGNING_SECRET が"
        "設定されていないため、ローカルのコンソールで起動します。\n"
    ),
    "cli_serve_needs": (
        "serve を実行するには SLACK_SIGNING_SECRET と SLACK_BOT_TOKEN（複数のワークスペースで使う場合は "
        "SLACK_CLIENT_ID と SLACK_CLIENT_SECRET）の設定が必要です（README を参照してください）。"
    ),
    "cli_socket_needs": (
        "socket を実行するには SLACK_BOT_TOKEN と SLACK_APP_TOKEN の設定が必要です（README を参照してください）。"
    ),
    "cli_schema_behind": (
        "データベースのスキーマは {found} ですが、このバージョンの Pyramid には {heads} が必要です。\n"
        "`pyramid-bot db upgrade` を実行する（または PYRAMID_MIGRATE_ON_START=true を設定する）と、"
        "起動できるようになります。"
    ),
    "cli_schema_empty": "Pyramid のテーブルなし",
    "cli_digest_run": "{team} {user} {day}：{outcome}",
    "cli_summary_run": "{team} {day}：週次サマリー {outcome}、グラフ {chart}",
    "cli_team_nothing": "チーム {team} のデータはデータベースにありません。",
    "cli_team_count": "{table} {count}行",
    "cli_team_listing": "チーム {team}：{listed}。",
    "cli_team_confirm": "すべて削除しますか？確認のため、チーム ID（{team}）を入力してください：",
    "cli_team_kept": "何も削除していません。",
    "cli_team_deleted": "チーム {team} のデータを{count}行削除しました。",
    "cli_db_up_to_date": "データベースは最新の状態です。",
    "cli_check_mismatch": "{team} 取引先 {id}（{account}）：{field} が {stored} ですが、正しくは {expected} です",
    "cli_check_totals": (
        "取引先{checked}社を確認しました。活動履歴と合わない取引先：{wrong}社（食い違い{mismatches}件）。"
    ),
    "cli_check_repaired": "{count}社を修復しました。",
    "cli_check_still_wrong": "修復後も合わないもの：{line}",
}
