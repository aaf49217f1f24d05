"""The Slack workspace the tests play in: its teams, users, team channel and signing secret."""

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
USER = "U0REP1"
OTHER_USER = "U0REP2"
TEAM_CHANNEL = "C0TEAM"
