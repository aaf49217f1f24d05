"""The states of a delivery in the ledger of messages posted exactly once (see bot/jobs/outbox.py)."""

from __future__ import annotations

from enum import StrEnum

# The last_error of a delivery dropped because its team uninstalled the app (or its bot token was revoked).
UNINSTALLED = "app_uninstalled"


class DeliveryStatus(StrEnum):
    """Stored in deliveries.status."""

    PENDING = "pending"  # enqueued (or put back after a transient failure), waiting for its next attempt
    CLAIMED = "claimed"  # a worker is posting it now
    SENT = "sent"
    EMPTY = "empty"  # there was nothing to say: no message, and none later
    FAILED = "failed"  # definitively: Slack refused it, or transient failures for too long
    # Its team uninstalled the app (last_error UNINSTALLED): never posted, and not a failure (the
    # ledger's `failed` count, which operators alert on, stays about deliveries that should have gone).
    DROPPED = "dropped"

    @property
    def is_done(self) -> bool:
        """Nothing more will be posted for it."""
        return self in (DeliveryStatus.SENT, DeliveryStatus.EMPTY, DeliveryStatus.DROPPED)
