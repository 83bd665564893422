# Two commands on a fresh machine (Python 3.11 and make): `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install bench samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## the main job on the bundled samples
run: install
	$(BIN)/teichaku validate samples/office.xlsx

test: install
	$(BIN)/python -m pytest

samples: install
	$(BIN)/python samples/make_samples.py

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
