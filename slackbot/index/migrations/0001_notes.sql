-- Notes ingested from sources: replaced whole per source on every ingest.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    uri TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    year INTEGER,
    web_url TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL,
    etag TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    ingested_at TEXT NOT NULL
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    date TEXT,                       -- ISO date; NULL for undated sections such as "Future"
    title TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    cancel_reason TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    line INTEGER NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX meetings_date ON meetings(date);
CREATE INDEX meetings_source ON meetings(source_id);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES items(id) ON DELETE CASCADE,
    root_id INTEGER,                 -- the agenda item (top-level bullet) this one belongs to
    position INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    text TEXT NOT NULL,
    line INTEGER NOT NULL
);
CREATE INDEX items_meeting ON items(meeting_id);
CREATE INDEX items_root ON items(root_id);

CREATE TABLE owners (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (item_id, name)
);
CREATE INDEX owners_name ON owners(name);

CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    number TEXT,                     -- the PR/issue number of a GitHub ref, for `pr 63170` lookups
    label TEXT NOT NULL DEFAULT ''
);
CREATE INDEX links_item ON links(item_id);
CREATE INDEX links_ref ON links(ref COLLATE NOCASE);
CREATE INDEX links_number ON links(number);

-- One row per agenda item (top-level bullet): its own text, its discussion, people and refs.
CREATE VIRTUAL TABLE agenda_fts USING fts5(
    text, body, people, refs,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Words of each source with their document frequency: the vocabulary typo tolerance works against.
CREATE TABLE vocab (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    word TEXT NOT NULL,
    df INTEGER NOT NULL,
    PRIMARY KEY (source_id, word)
);

-- Acronyms the notes spell out themselves ("Dynamic Resource Allocation (DRA)").
CREATE TABLE acronyms (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    short TEXT NOT NULL,
    long TEXT NOT NULL,
    PRIMARY KEY (source_id, short, long)
);
