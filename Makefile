# Two commands on a fresh machine (Python 3.11 and make): `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install bench samples clean templates goldens

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## the main job on the sample office moved to today's calendar (samples/today/, git-ignored):
## the claim pre-check for last month, as a newcomer would run it
## (exit 1 means "some users cannot be claimed", which the sample office shows on purpose);
## then the bundled samples' claim file for October 2026 reconciled with their records
## (differences planted on purpose: exit 1 too)
run: install
	$(BIN)/python samples/shift.py --out samples/today
	$(BIN)/teichaku validate samples/today/office.xlsx
	$(BIN)/teichaku check samples/today/office.xlsx || test $$? -eq 1
	$(BIN)/teichaku check samples/office.xlsx --month 2026-10 --claim samples/請求_2026-10.csv || test $$? -eq 1

test: install
	$(BIN)/python -m pytest

samples: install
	$(BIN)/python samples/make_samples.py
	$(BIN)/python samples/make_claim.py

bench: install
	$(BIN)/python benchmarks/run.py --runs 5

clean:
	rm -rf $(VENV) build *.egg-info

## rebuild the bundled templates, then the golden dumps of rendered documents
templates: install
	$(BIN)/python templates/make_templates.py

goldens: install
	UPDATE_GOLDENS=1 $(BIN)/python -m pytest tests/test_documents.py -q
