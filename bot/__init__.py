"""Pyramid: a Slack bot that keeps a B2B sales team's customer pyramid growing."""

__version__ = "0.1.0"
