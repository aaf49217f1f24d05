"""Slack surfaces. Each module has `register(app, runtime)`; listeners ack, parse, call a service, reply."""
