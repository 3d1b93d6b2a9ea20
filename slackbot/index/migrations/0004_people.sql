-- Slack users' profile names, recorded when they use signode: they join the people directory,
-- so "my items" and "what did @U123 present" find that person's items under their names in the notes.
CREATE TABLE slack_people (
    user_id TEXT PRIMARY KEY,
    real_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
