"""Messages of one topic (corrections), English and Japanese; merged into the catalogues by en.py and ja.py.
Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {
    "button_undo": "Undo",
    "correction_what": "the {kind} with *{account}* on {date}",
    "correction_amount": " ({amount})",
    "correction_done_undo": "Undone: {what}.",
    "correction_done_delete": "Deleted: {what}. It is kept as deleted and still exported.",
    "correction_done_edit": "Changed to: {what}.",
    "correction_now_on": "*{account}* is now on {label} {step} ({stage}).",
    "correction_step_moved": "Step corrected: {from_label} {from_step} → {to_label} {to_step}.",
    "correction_followup_cancelled": "The follow-up this log had scheduled is cancelled.",
    "correction_announcement_fixed": "The team channel's announcement is corrected.",
    "correction_announcement": "Corrected by {user}: *{account}* is back to {stage}.",
    "error_correction_not_yours": "Only the person who logged it can undo it.",
    "error_correction_not_allowed": "Only the person who logged it, or a manager, can change it.",
    "error_correction_too_late": (
        "Undo is only offered for 24 hours. To change an older log, use Edit or Delete on the account"
        " card (`/account <name>`)."
    ),
    "error_correction_already": "That activity was already undone or deleted.",
    "error_activity_gone": "That activity no longer exists in this workspace.",
    "menu_edit": "Edit",
    "menu_delete": "Delete",
    "modal_edit_title": "Edit activity",
    "modal_edit_submit": "Save",
    "modal_delete_title": "Delete activity",
    "modal_delete_submit": "Delete",
    "delete_question": "Delete {what}?",
    "error_unread_words": (
        "I could not read “{word}” after *{account}*, so nothing was stored. Write the kind and the date"
        " as separate words at the end; if it is all the account's name, put the name in quotes."
    ),
    "delete_kept": (
        "The account's step is recomputed without it. The activity is kept as deleted (with who and"
        " when) and still exported."
    ),
}

JA: dict[str, str] = {
    "button_undo": "取り消す",
    "correction_what": "*{account}* の{kind}（{date}）",
    "correction_amount": "（{amount}）",
    "correction_done_undo": "取り消しました：{what}。",
    "correction_done_delete": "削除しました：{what}。削除済みとして記録に残り、エクスポートにも含まれます。",
    "correction_done_edit": "修正しました：{what}。",
    "correction_now_on": "*{account}* は現在 {label} {step}（{stage}）です。",
    "correction_step_moved": "ステップ修正：{from_label} {from_step} → {to_label} {to_step}",
    "correction_followup_cancelled": "この記録で自動登録されたフォローアップも取り消しました。",
    "correction_announcement_fixed": "チームチャンネルへのお知らせも訂正しました。",
    "correction_announcement": "{user} が訂正：*{account}* は「{stage}」に戻りました。",
    "error_correction_not_yours": "取り消せるのは記録した本人だけです。",
    "error_correction_not_allowed": "変更できるのは記録した本人か、マネージャーだけです。",
    "error_correction_too_late": (
        "取り消しは記録から24時間以内のみです。それより前の記録は、取引先カード（`/account 取引先名`）の"
        "「修正」「削除」から変更してください。"
    ),
    "error_correction_already": "この活動はすでに取り消し（削除）済みです。",
    "error_activity_gone": "その活動はこのワークスペースにはもうありません。",
    "menu_edit": "修正",
    "menu_delete": "削除",
    "modal_edit_title": "活動の修正",
    "modal_edit_submit": "保存",
    "modal_delete_title": "活動の削除",
    "modal_delete_submit": "削除する",
    "delete_question": "{what}を削除しますか？",
    "error_unread_words": (
        "*{account}* のあとの「{word}」を読み取れなかったため、何も記録していません。種類と日付は"
        "取引先名のあとにスペースで区切って書いてください。すべて取引先名の場合は「」で囲んでください。"
    ),
    "delete_kept": (
        "取引先のステップはこの活動を除いて再計算されます。活動は削除済みとして（誰がいつ削除したかとともに）"
        "記録に残り、エクスポートにも含まれます。"
    ),
}
