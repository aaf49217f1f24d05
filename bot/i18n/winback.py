"""Messages of one topic (win-back: lost reasons, the contact, the win-back letter), English and Japanese;
merged into the catalogues by en.py and ja.py. Keys must match between EN and JA (a test checks keys and
placeholders). The letter's Japanese is written to be sent to a customer: polite business Japanese."""

EN: dict[str, str] = {
    # Why a deal was lost (domain.winback.LostReason)
    "lost_reason_price": "price",
    "lost_reason_timing": "timing",
    "lost_reason_competitor": "competitor",
    "lost_reason_no-need": "no need",
    "lost_reason_other": "other",
    "logged_lost_reason": "Reason: {reason}.",
    "card_lost_reason": " ({reason})",
    "segment_set_after_loss": "🏷️ Lost to a competitor: *{account}* is now in segment *{segment}* (win-back advice and a letter on its card).",
    "error_bad_lost_reason": (
        '"{word}" is not a reason for a lost deal. Use price, timing, competitor, no-need or other,'
        " e.g. `/deal Acme lost competitor revisit 2027-04-01`."
    ),
    "error_reason_needs_lost": "A reason ({word}) goes with a lost deal only.",
    "field_lost_reason": "Reason (if lost)",
    # The contact on the account
    "card_contact": "*Contact* {contact}",
    "edited_contact": "*{account}*'s contact is now *{contact}*.",
    "edited_contact_cleared": "*{account}* no longer has a contact.",
    "error_contact_too_long": "A contact is at most {limit} characters (this one is {length}).",
    # Win-back advice and the letter
    "advice_winback": "A former customer: win them back. Send a short letter recalling what you did together, then ask for 20 minutes.",
    "advice_winback_lost": "Lost to a competitor: stay in touch politely. A short letter now and then keeps the door open for the next decision.",
    "button_draft_winback": "Draft win-back letter",
    "button_log_letter_sent": "Log as sent",
    "lapse_dormant": "{days} days quiet: dormant. Send a short win-back letter.",
    "winback_title": "✉️ Win-back letter for *{account}* — copy it, send it, then press *Log as sent*.",
    "winback_sent_hint": "Logging it records a letter (a remote touch) and brings a dormant account back to active.",
    "winback_to_contact": "{account}\nAttn: {contact}\n\nDear {contact},",
    "winback_to_team": "{account}\n\nDear {account} team,",
    "winback_opening": "It has been a while since we were last in touch, and I hope all is well with you.",
    "winback_last_won": "Thank you again for the order you placed with us in {month}.",
    "winback_last_meal": "Thank you again for the meal we shared in {month}; I still remember it warmly.",
    "winback_last_visit": "Thank you again for the time you gave us when we met in {month}.",
    "winback_last_proposed": "Thank you again for considering the proposal we made in {month}.",
    "winback_last_call": "Thank you again for taking the time to speak with us in {month}.",
    "winback_last_email": "Thank you again for your kind replies when we corresponded in {month}.",
    "winback_last_letter": "I last wrote to you in {month}, and wanted to follow up.",
    "winback_last_none": "Thank you for the business you have given us.",
    "winback_body": (
        "We have some news this season that may be useful to you. Could I visit for 20 minutes"
        " to hear how things are going and share it?"
    ),
    "winback_closing": "I look forward to hearing from you.\n\nKind regards,",
    "winback_month": "{month_name} {year}",
    "month_1": "January",
    "month_2": "February",
    "month_3": "March",
    "month_4": "April",
    "month_5": "May",
    "month_6": "June",
    "month_7": "July",
    "month_8": "August",
    "month_9": "September",
    "month_10": "October",
    "month_11": "November",
    "month_12": "December",
}

JA: dict[str, str] = {
    "lost_reason_price": "価格",
    "lost_reason_timing": "時期・タイミング",
    "lost_reason_competitor": "競合",
    "lost_reason_no-need": "不要・ニーズなし",
    "lost_reason_other": "その他",
    "logged_lost_reason": "失注理由：{reason}",
    "card_lost_reason": "（{reason}）",
    "segment_set_after_loss": "🏷️ 競合に敗れたため、*{account}* のセグメントを *{segment}* にしました（カードに掘り起こしの助言と手紙が出ます）。",
    "error_bad_lost_reason": (
        "「{word}」は失注理由として読めません。価格・時期・競合・不要・その他のいずれかを指定してください"
        "（例：`/deal アクメ商事 失注 競合 再訪 2027-04-01`）。"
    ),
    "error_reason_needs_lost": "理由（{word}）は失注のときだけ指定できます。",
    "field_lost_reason": "失注理由（失注のとき）",
    "card_contact": "*先方担当者* {contact}",
    "edited_contact": "*{account}* の先方担当者を *{contact}* にしました。",
    "edited_contact_cleared": "*{account}* の先方担当者を外しました。",
    "error_contact_too_long": "先方担当者は{limit}文字以内で入力してください（現在{length}文字）。",
    "advice_winback": "以前の取引先です。掘り起こしましょう：ご一緒したことに触れた短い手紙を送り、20分の面談をお願いしましょう。",
    "advice_winback_lost": "競合に敗れた取引先です。礼を尽くして関係を保ちましょう：折に触れた短い手紙が、次の検討の機会につながります。",
    "button_draft_winback": "掘り起こしの手紙を作成",
    "button_log_letter_sent": "送付済みとして記録",
    "lapse_dormant": "{days}日間接触なし（休眠）。掘り起こしの手紙を送りましょう。",
    "winback_title": "✉️ *{account}* への掘り起こしの手紙です。コピーして送付後、*送付済みとして記録* を押してください。",
    "winback_sent_hint": "記録すると手紙（リモート接触）として残り、休眠中の取引先はアクティブに戻ります。",
    "winback_to_contact": "{account}\n{contact}",
    "winback_to_team": "{account}\nご担当者様",
    "winback_opening": "拝啓　貴社ますますご清栄のこととお慶び申し上げます。\nすっかりご無沙汰しております。",
    "winback_last_won": "その節は{month}にご発注をいただき、誠にありがとうございました。",
    "winback_last_meal": "その節は{month}にお食事をご一緒させていただき、誠にありがとうございました。",
    "winback_last_visit": "その節は{month}にお打ち合わせのお時間を頂戴し、誠にありがとうございました。",
    "winback_last_proposed": "その節は{month}にご提案の機会をいただき、誠にありがとうございました。",
    "winback_last_call": "その節は{month}にお電話でお時間を頂戴し、誠にありがとうございました。",
    "winback_last_email": "その節は{month}にメールにてご丁寧にご対応いただき、誠にありがとうございました。",
    "winback_last_letter": "{month}にお便りを差し上げて以来、すっかりご無沙汰してしまいました。",
    "winback_last_none": "平素より格別のお引き立てを賜り、誠にありがとうございます。",
    "winback_body": (
        "その後、お変わりなくお過ごしでしょうか。\n"
        "今期、貴社のお役に立てそうなご案内がございます。"
        "近況をお伺いしたく、20分ほどお時間を頂戴できましたら幸いです。"
    ),
    "winback_closing": "今後ともどうぞよろしくお願い申し上げます。\n敬具",
    "winback_month": "{year}年{month_name}",
    "month_1": "1月",
    "month_2": "2月",
    "month_3": "3月",
    "month_4": "4月",
    "month_5": "5月",
    "month_6": "6月",
    "month_7": "7月",
    "month_8": "8月",
    "month_9": "9月",
    "month_10": "10月",
    "month_11": "11月",
    "month_12": "12月",
}
