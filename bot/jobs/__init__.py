"""Scheduled work: the morning digest, recovery flags. Every job is idempotent (see outbox.py)."""
