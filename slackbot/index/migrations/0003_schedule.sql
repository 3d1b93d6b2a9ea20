-- Meetings cancelled from Slack (`/signode cancel DATE`); the notes' own "Cancelled" headings live in meetings.
CREATE TABLE cancellations (
    group_name TEXT NOT NULL,
    date TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    by_user TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (group_name, date)
);

-- One row per reminder: claimed in the transaction that decides to send, before posting, so two
-- processes never send the same reminder. status: claimed, sent, failed, missed, cancelled.
CREATE TABLE reminders (
    group_name TEXT NOT NULL,
    meeting_start TEXT NOT NULL,     -- UTC instant, YYYY-MM-DDTHH:MM:SSZ
    offset_s INTEGER NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    ts TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (group_name, meeting_start, offset_s)
);
