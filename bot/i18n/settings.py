"""Messages of one topic (team settings: `/pyramid settings`), English and Japanese; merged into the
catalogues by en.py and ja.py. Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {
    "settings_title": "Team settings",
    "settings_save": "Save",
    "settings_cancel": "Cancel",
    "settings_intro": (
        "These settings are this workspace's own. The values shown are in use now; a field left as it is "
        "keeps its value."
    ),
    "settings_last_changed": "Last changed by {user} on {date}.",
    "settings_field_channel": "Team channel",
    "settings_channel_hint": "Stage changes, complaints and the weekly summary are posted here.",
    "settings_field_locale": "Default language",
    "settings_locale_en": "English",
    "settings_locale_ja": "日本語 (Japanese)",
    "settings_field_timezone": "Time zone",
    "settings_field_digest_time": "Morning digest time",
    "settings_field_working_days": "Working days",
    "settings_field_holiday_country": "Public holidays (country code)",
    "settings_holiday_hint": "Two letters, for example JP or US. Empty: no public holidays.",
    "settings_field_summary_day": "Weekly summary day",
    "settings_field_summary_time": "Weekly summary time",
    "settings_field_dormant_acquaintance": "Dormant after this many days without a touch: acquaintance",
    "settings_field_dormant_prospect": "Dormant after this many days without a touch: prospect",
    "settings_field_dormant_customer": "Dormant after this many days without a touch: customer",
    "settings_field_dormant_repeater": "Dormant after this many days without a touch: repeater",
    "settings_field_segment_lapse": "Segments nudged on their own days",
    "settings_segment_lapse_hint": "e.g. strategic=prospect:20,customer:45;skeptic=customer:120",
    "settings_field_managers": "Managers (besides the workspace's admins and owners)",
    "settings_field_evening": "Evening prompt",
    "settings_evening_on": "Ask each rep at the end of the working day: anything to log from today?",
    "settings_day_mon": "Monday",
    "settings_day_tue": "Tuesday",
    "settings_day_wed": "Wednesday",
    "settings_day_thu": "Thursday",
    "settings_day_fri": "Friday",
    "settings_day_sat": "Saturday",
    "settings_day_sun": "Sunday",
    # Field errors (under the input, the modal stays open)
    "settings_bad_channel": "Choose a channel from the list, for example #sales.",
    "settings_bad_locale": "Choose English or Japanese.",
    "settings_bad_timezone": "Choose a time zone from the list, for example Asia/Tokyo.",
    "settings_bad_time": "Choose a time such as 09:00.",
    "settings_bad_weekday": "Choose a day, for example Monday.",
    "settings_no_working_day": "Tick at least one working day, for example Monday to Friday.",
    "settings_bad_country": "No public holiday calendar for {country}: use a code such as JP or US, or leave it empty.",
    "settings_bad_days": "Enter whole days from {low} to {high}, for example 90.",
    "settings_bad_user": "Choose people from the list.",
    "settings_bad_segment_lapse": (
        "Write segment=stage:days for each segment, separated by ; (stages prospect and customer, "
        "{low} to {high} days), for example strategic=prospect:20,customer:45;skeptic=customer:120."
    ),
    # Answers
    "settings_refused": (
        "⛔ Only workspace admins and owners, and the team's managers, can change the team settings. "
        "Nothing was opened."
    ),
    "settings_saved": (
        "✅ Team settings saved by {user}. Team channel: {channel} · language: {language} · time zone: "
        "{zone} · digest: {digest} · weekly summary: {summary_day} {summary_time}."
    ),
    "settings_no_channel": "none",
    "home_settings_button": "⚙️ Settings",
}

JA: dict[str, str] = {
    "settings_title": "チーム設定",
    "settings_save": "保存",
    "settings_cancel": "キャンセル",
    "settings_intro": "このワークスペースのチームだけの設定です。表示中の値が現在の設定で、変更しない項目はそのまま保たれます。",
    "settings_last_changed": "最終更新：{user}（{date}）",
    "settings_field_channel": "チームチャンネル",
    "settings_channel_hint": "ステージの変化、クレーム、週次サマリーをこのチャンネルに投稿します。",
    "settings_field_locale": "既定の言語",
    "settings_locale_en": "English（英語）",
    "settings_locale_ja": "日本語",
    "settings_field_timezone": "タイムゾーン",
    "settings_field_digest_time": "朝のダイジェストの時刻",
    "settings_field_working_days": "営業日",
    "settings_field_holiday_country": "祝日カレンダー（国コード）",
    "settings_holiday_hint": "JP、US などの2文字です。空欄なら祝日を考慮しません。",
    "settings_field_summary_day": "週次サマリーの曜日",
    "settings_field_summary_time": "週次サマリーの時刻",
    "settings_field_dormant_acquaintance": "接触がないまま休眠とみなす日数：知り合い",
    "settings_field_dormant_prospect": "接触がないまま休眠とみなす日数：見込み顧客",
    "settings_field_dormant_customer": "接触がないまま休眠とみなす日数：顧客",
    "settings_field_dormant_repeater": "接触がないまま休眠とみなす日数：リピーター",
    "settings_field_segment_lapse": "セグメント別のフォロー日数",
    "settings_segment_lapse_hint": "例：strategic=prospect:20,customer:45;skeptic=customer:120",
    "settings_field_managers": "マネージャー（ワークスペースの管理者・オーナー以外）",
    "settings_field_evening": "夕方の記録リマインド",
    "settings_evening_on": "営業日の終わりに、各担当者へ「今日の記録はありますか？」とお知らせする",
    "settings_day_mon": "月曜日",
    "settings_day_tue": "火曜日",
    "settings_day_wed": "水曜日",
    "settings_day_thu": "木曜日",
    "settings_day_fri": "金曜日",
    "settings_day_sat": "土曜日",
    "settings_day_sun": "日曜日",
    "settings_bad_channel": "一覧からチャンネルを選んでください（例：#営業）。",
    "settings_bad_locale": "英語か日本語を選んでください。",
    "settings_bad_timezone": "一覧からタイムゾーンを選んでください（例：Asia/Tokyo）。",
    "settings_bad_time": "時刻を選んでください（例：09:00）。",
    "settings_bad_weekday": "曜日を選んでください（例：月曜日）。",
    "settings_no_working_day": "営業日を少なくとも一つ選んでください（例：月曜日〜金曜日）。",
    "settings_bad_country": "{country} の祝日カレンダーはありません。JP や US などのコードを入力するか、空欄にしてください。",
    "settings_bad_days": "{low}〜{high} の日数を整数で入力してください（例：90）。",
    "settings_bad_user": "一覧からメンバーを選んでください。",
    "settings_bad_segment_lapse": (
        "セグメントごとに「セグメント=ステージ:日数」を ; で区切って入力してください"
        "（ステージは prospect（見込み顧客）か customer（顧客）、日数は{low}〜{high}）。"
        "例：strategic=prospect:20,customer:45;skeptic=customer:120"
    ),
    "settings_refused": (
        "⛔ チーム設定を変更できるのは、ワークスペースの管理者・オーナーとチームのマネージャーだけです。"
        "設定画面は開いていません。"
    ),
    "settings_saved": (
        "✅ {user} さんがチーム設定を保存しました。チームチャンネル：{channel}・言語：{language}・"
        "タイムゾーン：{zone}・ダイジェスト：{digest}・週次サマリー：{summary_day} {summary_time}"
    ),
    "settings_no_channel": "なし",
    "home_settings_button": "⚙️ 設定",
}
