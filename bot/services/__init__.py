"""Use cases. Each takes a session, a team id and typed input, and returns a typed result.

Callers own the transaction (`with db.transaction() as session:`), so one user action is one commit.
"""
