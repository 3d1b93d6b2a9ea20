-- Agenda items people add from Slack or the CLI. Ingest never touches this table.
CREATE TABLE added_items (
    id INTEGER PRIMARY KEY,
    group_name TEXT NOT NULL,
    meeting_date TEXT NOT NULL,      -- ISO date of the meeting, in the meeting's own time zone
    text TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    author_id TEXT NOT NULL,         -- Slack user ID (or "cli:<user>")
    author_name TEXT NOT NULL DEFAULT '',
    client_key TEXT UNIQUE,          -- the Slack request that created it: a retry finds it taken
    created_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX added_items_meeting ON added_items(group_name, meeting_date);

-- Slack event IDs already handled, so a retried event is answered once.
CREATE TABLE seen_events (
    event_id TEXT PRIMARY KEY,
    seen_at TEXT NOT NULL
);
