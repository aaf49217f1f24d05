"""Button values and modal metadata, validated where they enter (they come back from Slack's clients)."""

from __future__ import annotations

import json
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

MAX_ID = 2**31 - 1


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NearMatchChoice(Payload):
    p: str = Field(pattern=r"^[0-9a-f]{32}$")  # the parked request
    a: int | None = Field(default=None, ge=1, le=MAX_ID)  # the chosen account; None = create new


class ShareValue(Payload):
    s: Literal["team", "me", "user"]
    u: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{1,31}$")
    d: bool = False


class ModalMetadata(Payload):
    channel: str | None = Field(default=None, pattern=r"^[CDG][A-Z0-9]{1,31}$")


class BadPayload(ValueError):
    pass


P = TypeVar("P", bound=Payload)


def parse_json(model: type[P], raw: str | None) -> P:
    try:
        return model.model_validate(json.loads(raw or "{}"))
    except (ValueError, ValidationError) as error:
        raise BadPayload(str(error)) from None


def parse_account_id(raw: str | None) -> int:
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise BadPayload(f"not an account id: {raw!r}")
    return int(raw)
