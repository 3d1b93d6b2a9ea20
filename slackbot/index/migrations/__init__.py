"""Schema migrations, applied in name order and recorded in the database (see slackbot.index.schema)."""
