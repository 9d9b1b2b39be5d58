# Two commands: `make demo` (set up, generate the seed insurer's data, close 2025H1, verify) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1
SEED ?= 42
SCENARIO ?= scenarios/seed_2025h1.yaml
PERIOD ?= 2025H1
export REGWH_HOME ?= $(CURDIR)/var
export DAGSTER_HOME := $(REGWH_HOME)/dagster
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup system-packages demo test test-scale-out lint format dev clean bench

$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,scale-out]'
	touch $@

dbt_project/target/manifest.json: $(BIN)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/seeds -type f) dbt_project/dbt_project.yml
	mkdir -p $(REGWH_HOME)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

setup: $(BIN)/.installed system-packages dbt_project/target/manifest.json

system-packages:
	@bash scripts/system-packages.sh

demo: setup
	$(BIN)/regwh generate --scenario $(SCENARIO) --scale $(SCALE) --seed $(SEED)
	$(BIN)/regwh close --period $(PERIOD) --restate "make demo: demo delivery regenerated"
	$(BIN)/regwh verify --scenario $(SCENARIO)

lint: $(BIN)/.installed dbt_project/target/manifest.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models tests --disable-progress-bar

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	cd dbt_project && ../$(BIN)/sqlfluff fix models --disable-progress-bar

test: setup lint
	$(BIN)/pytest

# Only the proofs of the scale-out path (part of `make test`): the project on Spark local mode and a Dagster
# instance on PostgreSQL (Java 17 and the PostgreSQL server, which scripts/system-packages.sh installs).
test-scale-out: setup
	$(BIN)/pytest tests/scale_out

dev: setup
	$(BIN)/regwh init
	$(BIN)/dagster dev -w workspace.yaml --host 127.0.0.1 --port 3000

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs

SCALES ?= 0.1 1 10
bench: setup
	$(BIN)/python scripts/bench.py $(SCALES)
