"""The vocabulary the console's parts share: a conversation with the user is a generator.

A `Flow` yields the next prompt and receives the line typed at it; `ConsoleSession` drives it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

Json = dict[str, Any]
Flow = Generator[str, str, None]  # yields the next prompt, receives the line typed at it
Say = Callable[[str], None]
Suggest = Callable[[str], list[tuple[str | None, Json]]]


class Cancelled(Exception):
    """The user typed `cancel` (or the input ended) in the middle of a question."""


class ViewChanged(Exception):
    """The open form changed while a field was being asked (a button or the bot updated it)."""
