"""The index: SQLite and what reads and writes it (the store, the lexicon, search, ingest, sources,
the schema and its migrations). The only place with SQL."""
