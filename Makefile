.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_DATA ?= ../shared/data
DEMO_DB ?= data/demo.duckdb

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) ## Create the virtualenv and install transship with its dev tools

demo: $(STAMP) ## Generate the demo world, ingest it, backfill it, print the top flags
	rm -f $(DEMO_DB) $(DEMO_DB).wal
	$(BIN)/transship demo --db $(DEMO_DB)

test: $(STAMP) ## Run the test suite
	$(BIN)/pytest -q

# mypy checks flows/ as transship.flows, through the transship/flows symlink.
lint: $(STAMP) ## ruff and mypy --strict
	$(BIN)/ruff check transship flows tests benchmarks
	$(BIN)/ruff format --check transship flows tests benchmarks
	$(BIN)/mypy transship benchmarks

check-wheel: ## Build the wheel, install it in a fresh virtualenv, run every --help and the demo outside the checkout (a few minutes)
	PYTHON=$(PYTHON) .ci/check-wheel

bench: $(STAMP) ## Benchmarks: ingest against bare DuckDB; detection on a 1.5M-shipment world against pandas + IsolationForest; entity resolution; learning; one nightly day; scaling to 10M shipments
	$(BIN)/python -m benchmarks.ingest --out bench-out
	$(BIN)/python -m benchmarks.detection --out bench-out --size large
	$(BIN)/python -m benchmarks.entities --out bench-out --detection
	$(BIN)/python -m benchmarks.learning --out bench-out --data $(SHARED_DATA)
	$(BIN)/python -m benchmarks.nightly --out bench-out --size large
	$(MAKE) bench-scaling

bench-nightly: $(STAMP) ## One nightly day on the large world's store, process start included (3 runs)
	$(BIN)/python -m benchmarks.nightly --out bench-out --size large

bench-scaling: $(STAMP) ## 1M, 4M and 10M-shipment worlds (generated on demand): ingest + backfill + flag export, in-process and on a 2-worker pool, wall time and every process's peak memory; the pandas peer on 1M
	$(BIN)/python -m benchmarks.scaling --out bench-out --engine local --sizes 1m 4m
	$(BIN)/python -m benchmarks.scaling --out bench-out --engine processes --workers 2 --no-peer

bench-learning: $(STAMP) ## The learned ranker: Korean declarations (labels, replay), synthetic replay, retraining on 1.5M shipments
	$(BIN)/python -m benchmarks.learning --out bench-out --data $(SHARED_DATA)

schedule: $(STAMP) ## Serve the Prefect deployments from this machine (nightly 02:00, warnings the 20th 03:00)
	$(BIN)/transship schedule serve

review: $(STAMP) ## Serve the review app on the demo store at http://127.0.0.1:8765 (add a user first)
	$(BIN)/transship serve --db $(DEMO_DB)

load-shared: $(STAMP) ## Load the real data sets in SHARED_DATA through their adapters
	$(BIN)/transship ingest shared $(SHARED_DATA) --db data/shared.duckdb

clean: ## Remove the virtualenv and local stores
	rm -rf $(VENV) data bench-out

.PHONY: help setup demo test lint check-wheel bench bench-nightly bench-learning bench-scaling schedule review load-shared clean
