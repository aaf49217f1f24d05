"""Messages of one topic (corrections), English and Japanese; merged into the catalogues by en.py and ja.py.
Keys must match between EN and JA (a test checks keys and placeholders)."""

EN: dict[str, str] = {}

JA: dict[str, str] = {}
