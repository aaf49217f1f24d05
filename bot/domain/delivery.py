"""The states of a delivery in the ledger of messages posted exactly once (see bot/jobs/outbox.py)."""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Stored in deliveries.status."""

    PENDING = "pending"  # enqueued (or put back after a transient failure), waiting for its next attempt
    CLAIMED = "claimed"  # a worker is posting it now
    SENT = "sent"
    EMPTY = "empty"  # there was nothing to say: no message, and none later
    FAILED = "failed"  # definitively: Slack refused it, or transient failures for too long

    @property
    def is_done(self) -> bool:
        """Nothing more will be posted for it."""
        return self in (DeliveryStatus.SENT, DeliveryStatus.EMPTY)
