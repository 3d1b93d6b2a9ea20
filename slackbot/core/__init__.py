"""The core: pure functions and data (notes parsing, links, owners, words, schedules, questions, people,
the glossary). Text in, data out; no SQL, no network, no chat platform."""
