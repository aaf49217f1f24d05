"""The reading dictionary (half a second to load, 100 MiB) is not loaded at start, and a request whose
text has kanji loads it before its transaction starts: the first Japanese name after a restart never
spends the store's 1.6 s deadline on it, however busy the machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.domain import names
from bot.runtime import Runtime
from tests.support.slack_driver import SlackDriver, text_of


def test_the_first_kanji_request_loads_the_readings_before_its_transaction(
    driver: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    names._dictionaries.cache_clear()
    names._WORDS.clear()
    names._segments.cache_clear()
    loaded_at_store: list[bool] = []
    store = Runtime.store

    def watched(self: Runtime, work: Callable[..., Any], **kwargs: Any) -> Any:
        loaded_at_store.append(names.readings_loaded())
        return store(self, work, **kwargs)

    monkeypatch.setattr(Runtime, "store", watched)
    assert "Acme" in text_of(driver.run("/meeting", "Acme visit"))
    assert loaded_at_store == [False]  # Latin text: nothing loaded
    assert "大和電機" in text_of(driver.run("/meeting", "大和電機 訪問"))
    assert loaded_at_store == [False, True]
