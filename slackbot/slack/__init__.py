"""signode in Slack: the Bolt app (app.py), Block Kit rendering and escaping (blocks.py), and Slack's
message markup read back as plain text (message.py)."""
