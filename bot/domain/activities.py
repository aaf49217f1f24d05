"""What a rep can log about an account: touches (call, email, letter, visit, meal) and deal outcomes."""

from __future__ import annotations

from enum import StrEnum


class ActivityKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    VISIT = "visit"
    MEAL = "meal"
    # A letter or postcard (手紙, はがき): the win-back letter of seed 003 is logged as one.
    LETTER = "letter"
    PROPOSED = "proposed"
    WON = "won"
    LOST = "lost"

    @property
    def is_touch(self) -> bool:
        return self in TOUCH_KINDS

    @property
    def is_deal(self) -> bool:
        return self in DEAL_OUTCOMES

    @property
    def is_remote(self) -> bool:
        # A letter reaches the customer without meeting them, like a call or an email (step "remote").
        return self in (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.LETTER)

    @property
    def is_in_person(self) -> bool:
        # A meal is an in-person meeting too (SPEC §2: "visit or meal").
        return self in (ActivityKind.VISIT, ActivityKind.MEAL)


TOUCH_KINDS = (
    ActivityKind.CALL,
    ActivityKind.EMAIL,
    ActivityKind.LETTER,
    ActivityKind.VISIT,
    ActivityKind.MEAL,
)
DEAL_OUTCOMES = (ActivityKind.PROPOSED, ActivityKind.WON, ActivityKind.LOST)
