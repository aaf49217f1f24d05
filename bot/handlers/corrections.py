"""Listeners for corrections (issue 11). Thin: ack, parse, call one use case, render, respond."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    """Nothing yet."""
