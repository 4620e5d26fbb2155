# Two commands for a new machine with Python 3.11+:  make demo  ·  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,deploy]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/workbench demo --force
	$(BIN)/workbench score --round 2018-city --dry-run --out reports/2018-city.csv --out reports/2018-city.xlsx
	$(BIN)/workbench batch --year 2018 --year 2019 --year 2020
	$(BIN)/workbench serve

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

lint: $(STAMP)
	$(BIN)/ruff check workbench tests benchmarks

clean:
	rm -rf $(VENV) data/*.db reports/*
