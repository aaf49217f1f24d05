"""Block Kit builders: typed results in, Slack messages and views out. No database, no Slack client."""
