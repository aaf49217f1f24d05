"""Messages of one topic (managing), English and Japanese; merged into the catalogues by en.py and ja.py.
Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {
    # Who may correct accounts
    "managing_not_a_manager": (
        "⛔ Only managers can set a step, merge, archive, restore or mark an account lost: workspace "
        "admins and owners, and the people listed in PYRAMID_MANAGERS. Nothing was changed."
    ),
    "managing_ask": "Ask {managers}.",
    "managing_reason": "Why: {reason}",
    # Step by hand
    "step_set": "✅ *{account}*: step {before} → {after}, set by hand.",
    "step_same": "*{account}* is already on step {step}. Nothing was changed.",
    "step_below_evidence": (
        "Note: what was logged supports {step}, so the next log moves it up again. "
        "To take a wrong log away, delete it from the account card."
    ),
    "step_announced": "The team channel was told of the stage change.",
    "manual_stage_announcement": "✍️ {user} set *{account}* from {from_stage} to {to_stage} by hand: {reason}",
    # Status
    "status_archive": "🗄️ *{account}* is archived: it leaves the pyramid. `/account {account} restore` brings it back.",
    "status_restore": "♻️ *{account}* is active again (it was {before}).",
    "status_lost": "*{account}* is marked lost: it leaves the pyramid and is shown among the win-back candidates.",
    "status_same": "*{account}* is already {status}. Nothing was changed.",
    "managing_status_active": "active",
    "managing_status_dormant": "dormant",
    "managing_status_lost": "lost",
    "managing_status_archived": "archived",
    "managing_status_merged": "merged",
    # Merge
    "merge_plan": (
        "Merge *{merged}* into *{survivor}*? Moving to *{survivor}*: activities {activities}, follow-ups "
        "{followups}, recoveries {recoveries}; its step is then recomputed from them. *{merged}* stays "
        "only as a name that finds *{survivor}*. A merge cannot be undone."
    ),
    "merge_button": "Merge",
    "merge_cancel_button": "Cancel",
    "merge_confirm_title": "Merge these accounts?",
    "merge_confirm_text": "{merged} will be folded into {survivor}. This cannot be undone.",
    "merge_confirm_yes": "Merge",
    "merge_confirm_no": "Back",
    "merge_done": (
        "🔗 *{merged}* was merged into *{survivor}*. Moved: activities {activities}, follow-ups {followups}, "
        "recoveries {recoveries}."
    ),
    "merge_step": "Step of *{survivor}*: {before} → {after}.",
    "merge_step_same": "Step of *{survivor}*: {step} (unchanged).",
    "merge_already": "*{merged}* is already merged into *{survivor}*. Nothing more was done.",
    "merge_cancelled": "Merge cancelled. Nothing was changed.",
    # The card
    "card_corrections": "Corrections by hand:",
    "card_correction_step": "{date} {user} set the step {before} → {after}{reason}",
    "card_correction_merge_in": "{date} {user} merged *{other}* into it{reason}",
    "card_correction_merge_out": "{date} {user} merged it into *{other}*{reason}",
    "card_correction_archive": "{date} {user} archived it{reason}",
    "card_correction_restore": "{date} {user} restored it{reason}",
    "card_correction_lost": "{date} {user} marked it lost{reason}",
    "card_correction_reason": " — {reason}",
    # Bad input and refusals
    "error_step_missing": "Which step? Give its key, number or name after `step`, and why after ` -- `.",
    "error_step_unknown": (
        "*{word}* is not a step. Steps: 1.1 name_only · 1.2 remote · 1.3 met · 2.1 met_twice · 2.2 dined · "
        "2.3 proposed · 3.1 won · 3.2 repeat · 4.1 repeater."
    ),
    "error_reason_required": "Please say why after ` -- `: the reason is kept with the correction.",
    "error_merge_missing_other": "Which account should be merged into *{account}*?",
    "error_merge_into_itself": "*{name}* cannot be merged into itself.",
    "error_account_is_merged": "*{name}* was merged into *{account}*: correct *{account}* instead.",
    "example_account_step": "/account Acme step met -- the win was logged twice",
    "example_account_merge": '/account Acme merge "Acme Japan"',
    "example_account_status": (
        "/account Acme archive   ·   /account Acme restore   ·   /account Acme lost -- moved to a competitor"
    ),
}

JA: dict[str, str] = {
    "managing_not_a_manager": (
        "⛔ ステップの変更、統合、アーカイブ、復元、離反の記録はマネージャーだけができます。マネージャーは"
        "ワークスペースの管理者・オーナーと、PYRAMID_MANAGERS に登録された人です。何も変更していません。"
    ),
    "managing_ask": "{managers}さんに依頼してください。",
    "managing_reason": "理由：{reason}",
    "step_set": "✅ *{account}* のステップを手動で変更しました：{before} → {after}。",
    "step_same": "*{account}* はすでにステップ {step} です。何も変更していません。",
    "step_below_evidence": (
        "注意：記録済みの活動は {step} に相当するため、次の記録でステップが再び上がります。"
        "誤った記録は、取引先カードから削除してください。"
    ),
    "step_announced": "ステージの変更をチームチャンネルに知らせました。",
    "manual_stage_announcement": (
        "✍️ {user}さんが *{account}* を{from_stage}から{to_stage}に手動で変更しました。理由：{reason}"
    ),
    "status_archive": (
        "🗄️ *{account}* をアーカイブしました。ピラミッドの集計から外れます。"
        "戻すときは `/account {account} 復元` と入力してください。"
    ),
    "status_restore": "♻️ *{account}* を有効に戻しました（以前の状態：{before}）。",
    "status_lost": "*{account}* を離反として記録しました。ピラミッドの集計から外れ、掘り起こし候補に表示されます。",
    "status_same": "*{account}* はすでに{status}です。何も変更していません。",
    "managing_status_active": "有効",
    "managing_status_dormant": "休眠",
    "managing_status_lost": "離反",
    "managing_status_archived": "アーカイブ済み",
    "managing_status_merged": "統合済み",
    "merge_plan": (
        "*{merged}* を *{survivor}* に統合しますか？ 活動{activities}件、フォローアップ{followups}件、"
        "リカバリー{recoveries}件が *{survivor}* に移り、ステップはそれをもとに計算し直します。"
        "統合後の *{merged}* は、 *{survivor}* を探すための名前としてだけ残ります。統合は元に戻せません。"
    ),
    "merge_button": "統合する",
    "merge_cancel_button": "キャンセル",
    "merge_confirm_title": "取引先を統合しますか？",
    "merge_confirm_text": "{merged} を {survivor} に統合します。元に戻せません。",
    "merge_confirm_yes": "統合する",
    "merge_confirm_no": "戻る",
    "merge_done": (
        "🔗 *{merged}* を *{survivor}* に統合しました。活動{activities}件、フォローアップ{followups}件、"
        "リカバリー{recoveries}件を移しました。"
    ),
    "merge_step": "*{survivor}* のステップ：{before} → {after}。",
    "merge_step_same": "*{survivor}* のステップ：{step}（変更なし）。",
    "merge_already": "*{merged}* はすでに *{survivor}* に統合済みです。何も変更していません。",
    "merge_cancelled": "統合を取りやめました。何も変更していません。",
    "card_corrections": "手動での修正：",
    "card_correction_step": "{date} {user}さんがステップを変更：{before} → {after}{reason}",
    "card_correction_merge_in": "{date} {user}さんが *{other}* を統合{reason}",
    "card_correction_merge_out": "{date} {user}さんが *{other}* に統合{reason}",
    "card_correction_archive": "{date} {user}さんがアーカイブ{reason}",
    "card_correction_restore": "{date} {user}さんが復元{reason}",
    "card_correction_lost": "{date} {user}さんが離反として記録{reason}",
    "card_correction_reason": "（理由：{reason}）",
    "error_step_missing": "どのステップにしますか？ `ステップ` の後にステップ名か番号を、` -- ` の後に理由を書いてください。",
    "error_step_unknown": (
        "*{word}* はステップではありません。ステップ：1.1 名前のみ・1.2 電話・メール済み・1.3 面談1回・"
        "2.1 面談2回以上・2.2 会食済み・2.3 提案済み・3.1 受注1件・3.2 受注2件・4.1 リピーター"
    ),
    "error_reason_required": "` -- ` の後に理由を書いてください。理由は修正の記録として残ります。",
    "error_merge_missing_other": "*{account}* にどの取引先を統合しますか？",
    "error_merge_into_itself": "*{name}* を同じ取引先に統合することはできません。",
    "error_account_is_merged": "*{name}* は *{account}* に統合済みです。 *{account}* を修正してください。",
    "example_account_step": "/account アクメ商事 ステップ 面談1回 -- 受注を二重に記録したため",
    "example_account_merge": "/account 山田商事 統合 「ヤマダ商事」",
    "example_account_status": (
        "/account アクメ商事 アーカイブ   ·   /account アクメ商事 復元   ·   /account アクメ商事 離反 -- 他社に切り替え"
    ),
}
