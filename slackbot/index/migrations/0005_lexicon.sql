-- The search vocabulary kept aggregated, so opening the index reads a few rows, never groups the
-- per-source vocab (slackbot/index/lexicon.py keeps these in step with every ingest).
CREATE TABLE words (
    word TEXT PRIMARY KEY,
    df INTEGER NOT NULL                -- agenda items using the word, over all sources
) WITHOUT ROWID;
INSERT INTO words (word, df) SELECT word, SUM(df) FROM vocab GROUP BY word;
CREATE INDEX words_df ON words(df);

-- Typo index: every word of 5+ letters under itself and each spelling with one letter deleted
-- (a deletion neighbourhood), so a typo's candidates come from a lookup, not a scan of the vocabulary.
CREATE TABLE word_keys (
    key TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (key, word)
) WITHOUT ROWID;
CREATE INDEX word_keys_word ON word_keys(word);

-- Owner names with how often and when they appear: the people directory's input.
CREATE TABLE owner_stats (
    name TEXT PRIMARY KEY,
    items INTEGER NOT NULL,
    first TEXT NOT NULL DEFAULT '',
    last TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
INSERT INTO owner_stats (name, items, first, last)
    SELECT o.name, COUNT(*), coalesce(MIN(m.date), ''), coalesce(MAX(m.date), '')
    FROM owners o JOIN items i ON i.id = o.item_id JOIN meetings m ON m.id = i.meeting_id GROUP BY o.name;

-- Counters the ranking needs (agenda items in the index).
CREATE TABLE index_stats (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO index_stats (key, value) SELECT 'agenda_items', COUNT(*) FROM items WHERE parent_id IS NULL;
