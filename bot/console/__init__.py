"""The console: Pyramid in a terminal, with no Slack at all (`pyramid-bot console`, or `scripts/start`
with no Slack tokens).

The console plays Slack. It starts a stand-in for Slack's Web API on loopback (`standin`, over the
HTTP of `wire`), points the real Bolt app at it, and for each line the user types builds the payload
Slack would send (`payloads`: a slash command, a button press, a type-ahead query, a modal submission)
and hands it to `app.dispatch`. With `process_before_response=True` every listener has finished when
dispatch returns, so everything the bot posted is already recorded; `timeline` applies it and
`render` draws it as text.

* `run` - `run_console`: the real app, database and stand-in, one session on stdin/stdout
* `session` - `ConsoleSession`: the read-eval-print loop and the top-level words
* `interact`, `modal`, `questions` - pressing buttons, filling in forms, asking for one value
* `forms`, `timeline` - the open forms, and the messages the bot sent as the user sees them
* `render`, `elements`, `richtext`, `mrkdwn` - Block Kit as terminal text
* `standin`, `webapi`, `wire` - Slack's Web API on loopback, answering only what Pyramid calls

Nothing here is imported by the bot itself; the tests' `FakeSlack` (tests/support/fake_slack.py)
extends the stand-in with failure injection.
"""
