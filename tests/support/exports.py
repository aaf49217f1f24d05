"""What the export promises (README, "Command line": `pyramid-bot export`), spelled out once for
the tests that check it: written here rather than read from bot.services.exports, so that a column
renamed, dropped or moved there fails a test instead of silently changing what the tests expect."""

from __future__ import annotations

EXPORT_COLUMNS = (
    "team_id",
    "name",
    "owner",
    "stage",
    "step",
    "segment",
    "last_touch_on",
    "meetings",
    "deals_won",
    "created_on",
    "status",
    "merged_into",
    "contact",
)
