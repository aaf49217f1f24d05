"""Slack surfaces. Each module has `register(app)`; a listener takes its runtime from Bolt's context,
reads the payload (ids and values: bot/interactions.py), calls one use case (bot/usecases), renders
the result with a view (bot/views) and replies; what follows the ack goes through bot/notify.py."""
