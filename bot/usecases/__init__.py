"""Use cases: one function per user action, each in its own transaction, returning view-models."""
