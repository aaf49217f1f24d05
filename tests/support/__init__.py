"""Test support shared by the unit, integration, end-to-end and reliability tests and by bench/ (no
production code imports it):

- ids.py: the workspace the tests play in (teams, users, team channel, signing secret);
- slack_driver.py: Slack as the app sees it, requests signed as Slack signs them, and readers of what
  the bot sent back;
- fake_slack.py: the fake Web API (and response URLs) the app talks to;
- server.py: the app under its production HTTP server (waitress), and what the scheduled jobs get;
- database.py: a migrated database, emptied between tests, and readers of what is stored;
- factories.py: data made through the bot's services (logs, accounts, follow-ups, recoveries);
- threads.py: work released at once on many threads;
- blockkit.py: Slack's real Block Kit limits, checked on everything the bot sends;
- bench.py: the benchmarks of bench/ run as a developer runs them;
- console.py: the console (`pyramid-bot console`) run over lines typed in;
- exports.py: the export's columns as README promises them;
- rows.py: ORM rows built in memory, never stored, for the unit tests of views and view-models.

conftest.py files only wire these into fixtures."""
