"""Messages of one topic (health), English and Japanese; merged into the catalogues by en.py and ja.py.
Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {
    # Health = shape and flow (bot.domain.health); the weakest point first.
    "health_flow_ok": "Healthy: each stage outnumbers the one above it (1 > 2 > 3 > 4) and the flow is sound.",
    "health_flow_bad": "Not healthy. The weakest point first:",
    "health_recovery_overdue": "Recoveries open past {limit} days: {count} (the oldest {days} days). Keep the customer first: respond today, with facts and every fix you can offer, and make the next delivery exceed expectations.",
    "health_retention_below": "Retention after {period}: {share} of {customers} customers, below the method's {reference}. Win back lapsed customers before hunting new ones: a short letter often restarts the business.",
    "health_dormant_rising": "Accounts gone dormant in the last {days} days: {count} (the {days} days before: {before}). Call them before they go quiet for good, and send a win-back letter to the dormant ones.",
    "health_inflow_dry": "New acquaintances in the last {days} days: {count} (weekly average {average}). Meet new people now, or the deal flow dries up in a few months.",
    # The flow line under the health check.
    "flow_line": "Flow, last {days} days: new acquaintances {new} (weekly average {average}) · gone dormant {dormant} · {recoveries}",
    "flow_recoveries_none": "no open recoveries",
    "flow_recoveries": "open recoveries {count}, the oldest {days} days",
    "flow_retention": "Retention against the method's curve: {points}",
    "flow_retention_point": "after {period} {share} (curve {reference})",
    # Revenue beside counts.
    "revenue_head": "*Revenue by stage* — won in {year} · won in {last_year} · open proposals",
    "revenue_line": "{stage}: {this_year} · {last_year} · {open}",
    "revenue_open": "{value} ({count})",
    "revenue_total": "Total: {this_year} · {last_year} · {open}",
    "revenue_none": "*Revenue by stage*: no amounts logged yet (add the amount to `/deal … won 1.2M`).",
    "card_revenue": "Won in {year}: {this_year} · in {last_year}: {last_year_amount} · open proposal: {open}",
    "card_open_proposal": "{amount} ({date})",
    "card_no_open_proposal": "none",
    "chart_revenue": "{amount} won this year",
}

JA: dict[str, str] = {
    "health_flow_ok": "健全です。どのステージも一つ上より多く（1 > 2 > 3 > 4）、流れも保たれています。",
    "health_flow_bad": "健全ではありません。弱いところから順に：",
    "health_recovery_overdue": "{limit}日を過ぎて完了していないリカバリーが{count}件（最長{days}日）。まず今の顧客を守りましょう。今日のうちに事実をもって誠実に対応し、できる限りの手を尽くし、次の納品で期待を上回りましょう。",
    "health_retention_below": "{period}後の継続率は{customers}社中{share}で、目安の{reference}を下回っています。新規開拓の前に、離れた顧客を取り戻しましょう。短い手紙一通で取引が再開することもあります。",
    "health_dormant_rising": "直近{days}日間で休眠した取引先が{count}社（その前の{days}日間は{before}社）。連絡が途絶える前に声をかけ、休眠した取引先には近況伺いの手紙を送りましょう。",
    "health_inflow_dry": "直近{days}日間の新しい知り合いは{count}社（週平均{average}社）。今のうちに新しい出会いを増やしましょう。このままでは数か月後に商談が枯れます。",
    "flow_line": "直近{days}日間の流れ：新しい知り合い{new}社（週平均{average}社）・休眠{dormant}社・{recoveries}",
    "flow_recoveries_none": "未完了のリカバリーなし",
    "flow_recoveries": "未完了のリカバリー{count}件（最長{days}日）",
    "flow_retention": "継続率と目安の比較：{points}",
    "flow_retention_point": "{period}後 {share}（目安{reference}）",
    "revenue_head": "*ステージ別の売上* — {year}年の受注・{last_year}年の受注・提案中",
    "revenue_line": "{stage}：{this_year}・{last_year}・{open}",
    "revenue_open": "{value}（{count}件）",
    "revenue_total": "合計：{this_year}・{last_year}・{open}",
    "revenue_none": "*ステージ別の売上*：金額の記録はまだありません（`/deal … 受注 120万` のように金額を添えてください）。",
    "card_revenue": "{year}年の受注：{this_year}・{last_year}年：{last_year_amount}・提案中：{open}",
    "card_open_proposal": "{amount}（{date}）",
    "card_no_open_proposal": "なし",
    "chart_revenue": "今年の受注 {amount}",
}
