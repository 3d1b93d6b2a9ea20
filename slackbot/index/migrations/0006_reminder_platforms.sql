-- A reminder is claimed per platform: a group may remind a Slack channel and a Zoom channel, each once.
CREATE TABLE reminders_by_platform (
    group_name TEXT NOT NULL,
    meeting_start TEXT NOT NULL,     -- UTC instant, YYYY-MM-DDTHH:MM:SSZ
    offset_s INTEGER NOT NULL,
    platform TEXT NOT NULL DEFAULT 'slack',   -- slack | zoom
    status TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    ts TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (group_name, meeting_start, offset_s, platform)
);
INSERT INTO reminders_by_platform (group_name, meeting_start, offset_s, platform, status, channel, ts, detail,
                                   claimed_at)
    SELECT group_name, meeting_start, offset_s, 'slack', status, channel, ts, detail, claimed_at FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_by_platform RENAME TO reminders;
