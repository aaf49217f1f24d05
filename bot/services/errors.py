"""Failures a user can act on. `code` is a message key (`error_<code>`); params fill it."""

from __future__ import annotations


class UserFacingError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
