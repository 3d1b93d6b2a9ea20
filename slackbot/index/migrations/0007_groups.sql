-- Many groups in one install: each source belongs to a group (SIG Node's notes were the only ones
-- before, so they keep that name), and a meeting remembers its series (`Triage`, `APAC`).
ALTER TABLE sources ADD COLUMN group_name TEXT NOT NULL DEFAULT 'sig-node';
CREATE INDEX sources_group ON sources(group_name);
ALTER TABLE meetings ADD COLUMN series TEXT NOT NULL DEFAULT '';
