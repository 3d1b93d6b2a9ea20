-- The typo index is only ever read by key; a word's rows are found by computing its keys again
-- (lexicon.remove_source), so the second B-tree, by word, only doubled the cost of every ingest.
DROP INDEX word_keys_word;
