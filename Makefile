PY ?= .venv/bin/python
CORPUS ?= ../shared/corpus/sig-node

.PHONY: install check test demo eval bench

.venv/bin/python:
	python3.11 -m venv .venv

install: .venv/bin/python
	$(PY) -m pip install -q -e '.[dev]'

check:
	$(PY) -m ruff check slackbot tests scripts
	$(PY) -m mypy

test:
	$(PY) -m pytest -q

demo:
	.venv/bin/signode ingest $(if $(wildcard $(CORPUS)),$(CORPUS),)
	.venv/bin/signode meetings
	.venv/bin/signode ask "when was sandboxes discussed"

eval:
	$(PY) -m scripts.evaluate

bench:
	$(PY) -m scripts.benchmark
