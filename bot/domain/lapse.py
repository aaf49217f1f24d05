"""Which accounts are going quiet (SPEC §1, §4): days since the last touch against the stage's limits.

Customers drift away quietly; a rental chain found members not back within 3 months never came back,
so it made an offer after 2 months and stopped chasing after a year. Those are the defaults here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.segments import segment_key
from bot.domain.stages import Stage


class Lapse(StrEnum):
    NUDGE = "nudge"  # past the stage's limit: get in touch
    DORMANT = "dormant"  # a customer gone quiet: send a win-back letter
    ARCHIVE = "archive"  # a year of silence: stop chasing


# The digest lists at most this many lapsing accounts (the quietest), however long the backlog.
LAPSING_LIMIT = 50

# The stages whose accounts are nudged one by one (acquaintances are only counted, see below).
LAPSING_STAGES: tuple[Stage, ...] = (Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEATER)


@dataclass(frozen=True)
class SegmentLapse:
    """A segment's own nudge days (issue 12: a strategic customer is called sooner, a skeptic later);
    None: the team's days. `segment` is compared as domain.segments.segment_key has it."""

    segment: str
    prospect_days: int | None = None
    customer_days: int | None = None


@dataclass(frozen=True)
class LapseRules:
    """Days of silence after which each kind of account needs attention (SPEC §4's defaults)."""

    prospect_days: int = 30
    customer_nudge_days: int = 60
    customer_dormant_days: int = 90
    customer_archive_days: int = 365
    # Acquaintances are not nudged one by one; the digest only counts those quiet this long.
    acquaintance_quiet_days: int = 90
    # A proposal with no outcome after this long: ask for the timing.
    stalled_proposal_days: int = 30
    # Segments nudged on other days than the above (PYRAMID_SEGMENT_LAPSE_DAYS); none by default.
    by_segment: tuple[SegmentLapse, ...] = ()

    def for_segment(self, segment: str | None) -> LapseRules:
        """The rules an account of this segment is judged by: its segment's days where set."""
        key = segment_key(segment)
        for own in self.by_segment:
            if own.segment == key:
                return replace(
                    self,
                    prospect_days=own.prospect_days or self.prospect_days,
                    customer_nudge_days=own.customer_days or self.customer_nudge_days,
                    by_segment=(),
                )
        return self

    def fewest_nudge_days(self, stage: Stage) -> int | None:
        """The fewest quiet days at which an account of this stage, of any segment, may be lapsing."""
        found = [
            days
            for rules in (self, *(self.for_segment(own.segment) for own in self.by_segment))
            if (days := rules.nudge_days(stage)) is not None
        ]
        return min(found) if found else None

    def nudge_days(self, stage: Stage) -> int | None:
        """The fewest quiet days at which an account of this stage is lapsing; None: never one by one."""
        if stage is Stage.PROSPECT:
            return self.prospect_days
        if stage.is_customer:
            # The nudge comes first, unless the rules were set to go dormant (or archive) sooner.
            return min(self.customer_nudge_days, self.customer_dormant_days, self.customer_archive_days)
        return None


DEFAULT_RULES = LapseRules()


def days_quiet(last_touch_on: date | None, created_on: date, today: date) -> int:
    """An account never touched has been quiet since it was created."""
    return (today - (last_touch_on or created_on)).days


def lapse_of(
    stage: Stage, quiet_days: int, rules: LapseRules = DEFAULT_RULES, segment: str | None = None
) -> Lapse | None:
    rules = rules.for_segment(segment)
    start = rules.nudge_days(stage)
    if start is None or quiet_days < start:
        return None
    if stage.is_customer:
        if quiet_days >= rules.customer_archive_days:
            return Lapse.ARCHIVE
        if quiet_days >= rules.customer_dormant_days:
            return Lapse.DORMANT
    return Lapse.NUDGE


def is_quiet_acquaintance(stage: Stage, quiet_days: int, rules: LapseRules = DEFAULT_RULES) -> bool:
    return stage is Stage.ACQUAINTANCE and quiet_days >= rules.acquaintance_quiet_days


def lapse_cutoff(today: date, days: int) -> date:
    """The last-touch date on or before which an account has been quiet `days` days."""
    return today - timedelta(days=days)


# The same rules as dates, for the database's `where`: an account whose last touch (its creation if
# never touched) is on or before the cutoff is exactly one for which the check above says so (with
# segments of their own, one that may be: `lapse_of` with its segment decides).


def lapsing_cutoff(today: date, stage: Stage, rules: LapseRules = DEFAULT_RULES) -> date | None:
    """Accounts of `stage` last touched on or before this date are lapsing (`lapse_of` is not None), or
    with segment days set (`by_segment`) may be; None for a stage that is never nudged one by one."""
    days = rules.fewest_nudge_days(stage)
    return None if days is None else lapse_cutoff(today, days)


def quiet_acquaintance_cutoff(today: date, rules: LapseRules = DEFAULT_RULES) -> date:
    """Acquaintances last touched on or before this date are quiet (`is_quiet_acquaintance`)."""
    return lapse_cutoff(today, rules.acquaintance_quiet_days)


def stalled_proposal_cutoff(today: date, rules: LapseRules = DEFAULT_RULES) -> date:
    """A proposal made on or before this date with no outcome since is stalled."""
    return lapse_cutoff(today, rules.stalled_proposal_days)


# PYRAMID_SEGMENT_LAPSE_DAYS: `strategic=prospect:20,customer:45;skeptic=customer:120`.
_STAGE_WORDS = {"prospect": "prospect_days", "customer": "customer_days"}
MAX_LAPSE_DAYS = 3650


def segment_lapse_text(rules: tuple[SegmentLapse, ...]) -> str:
    """The segments' days written back as `parse_segment_lapse` reads them (the settings form shows it)."""
    parts = []
    for own in rules:
        days = [f"prospect:{own.prospect_days}"] if own.prospect_days else []
        days += [f"customer:{own.customer_days}"] if own.customer_days else []
        parts.append(f"{own.segment}=" + ",".join(days))
    return ";".join(parts)


def parse_segment_lapse(text: str) -> tuple[SegmentLapse, ...]:
    """The setting's text as the rules' segment days; ValueError (with an example) when malformed."""
    example = "for example strategic=prospect:20,customer:45;skeptic=customer:120"
    found: dict[str, SegmentLapse] = {}
    for part in filter(None, (chunk.strip() for chunk in text.split(";"))):
        name, equals, days_text = part.partition("=")
        key = segment_key(name)
        if not equals or not key or key in found:
            raise ValueError(f"{part!r}: one segment=stage:days,… per segment; {example}")
        days: dict[str, int] = {}
        for pair in filter(None, (item.strip() for item in days_text.split(","))):
            stage, colon, number = (piece.strip() for piece in pair.partition(":"))
            field = _STAGE_WORDS.get(stage.lower())
            if not colon or field is None or field in days or not number.isdigit():
                raise ValueError(f"{pair!r}: stage:days with stage prospect or customer; {example}")
            if not 1 <= int(number) <= MAX_LAPSE_DAYS:
                raise ValueError(f"{pair!r}: days from 1 to {MAX_LAPSE_DAYS}")
            days[field] = int(number)
        if not days:
            raise ValueError(f"{part!r}: no days given; {example}")
        found[key] = SegmentLapse(segment=key, **days)
    return tuple(found.values())
