"""Messages of one topic (status), English and Japanese; merged into the catalogues by en.py and ja.py.
Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {
    # Beside the pyramid (/pyramid, App Home, weekly summary). {dormant_stages} and {lost_stages} are
    # `outside_by_stage` or nothing.
    "outside_win_back": (
        "🔁 Beside the pyramid: {dormant} dormant{dormant_stages}, {lost} lost{lost_stages}"
        " — win-back candidates (a short letter restarts more business than a cold call)."
    ),
    "outside_by_stage": " (stage {stages})",
    "outside_all": (
        "{all} accounts in all: {active} active, {dormant} dormant, {lost} lost, {archived} archived."
    ),
    # The reply to a log that changed the account's status.
    "status_move_reactivated": "🔁 {account} is back in the pyramid (it was lost): welcome back.",
    "status_move_lost": (
        "{account} is now marked lost and leaves the pyramid; it stays a win-back candidate."
        " Had they named a time to come back? Log it with `revisit <date>` and it stays active."
    ),
    # The account card when the account is not active.
    "card_dormant": "💤 Dormant since {date}: no touch for {days} days. A short letter can restart it.",
    "card_status_lost": "❌ Lost{since}: outside the pyramid until the next touch.",
    "card_status_archived": "🗄 Archived{since}: not counted anywhere.",
    "card_out_since": " since {date}",
}

JA: dict[str, str] = {
    "outside_win_back": (
        "🔁 ピラミッドの外：休眠 {dormant}社{dormant_stages}、離反 {lost}社{lost_stages}。"
        "掘り起こしの候補です（短いお便り一通が、飛び込み営業より多くの商談を呼び戻します）。"
    ),
    "outside_by_stage": "（ステージ別 {stages}）",
    "outside_all": (
        "取引先は全部で{all}社：アクティブ {active}社、休眠 {dormant}社、離反 {lost}社、アーカイブ済み {archived}社。"
    ),
    "status_move_reactivated": "🔁 {account}がピラミッドに戻りました（離反から復帰）。",
    "status_move_lost": (
        "{account}を離反として記録し、ピラミッドから外しました（掘り起こし候補には残ります）。"
        "再訪の時期を聞いている場合は、`再訪 <日付>` を付けて記録すればアクティブのまま残ります。"
    ),
    "card_dormant": "💤 {date}から休眠中：{days}日間接触がありません。短いお便りで再開のきっかけを。",
    "card_status_lost": "❌ 離反{since}：次に接触するまでピラミッドの外です。",
    "card_status_archived": "🗄 アーカイブ済み{since}：どこにも集計されません。",
    "card_out_since": "（{date}）",
}
