# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint fuzz bench bench-check docs clean-build browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Clean the bundled seeds: build/seeds/ (output contract) and reports/seeds.html
run: $(STAMP)
	$(BIN)/dedup clean seeds/ --out build/seeds --report reports/seeds.html

## Whole test suite (installs Chromium for the browser test where apt-get is available)
test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -q

browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "note: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed and no root apt-get; browser tests will be skipped"; fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check dedup tests benchmarks
	$(BIN)/ruff format --check dedup tests benchmarks
	$(BIN)/mypy

fuzz: $(STAMP)
	DEDUP_FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest -q tests -m fuzz -p no:cacheprovider

## Regenerate the README's CLI reference from the commands
docs: $(STAMP)
	$(BIN)/python -m dedup.cli.reference README.md

## Benchmarks (not tests): 100 MB end to end + per stage + datasketch baseline, the
## 10,000-document report, held-out cleaning quality; `make bench-check` for `dedup check`
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --size 100
	$(BIN)/python benchmarks/report_size.py
	$(BIN)/python benchmarks/quality_eval.py

bench-check: $(STAMP)
	$(BIN)/python benchmarks/check_bench.py

clean-build:
	rm -rf build .venv
