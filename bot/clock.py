"""The one source of "now" and "today". Everything else asks a Clock; tests set one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo


class Clock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self, zone: tzinfo) -> date:
        return self.now().astimezone(zone).date()


class FixedClock(Clock):
    """A clock that stands still until moved; used by tests and by "as of" runs."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at += delta
