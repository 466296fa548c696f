# avbase — the two commands a newcomer needs: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
AVBASE  := $(BIN)/avbase

.PHONY: run test lint typecheck pytest install demo i18n bench clean

$(STAMP): pyproject.toml
	@./scripts/system-deps.sh run
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database under ./var, load demo data, serve on :8000
run: $(STAMP)
	$(AVBASE) init
	$(AVBASE) demo
	$(AVBASE) serve

## make test: install test dependencies (and chromium when missing), lint, type-check, run every test
test: $(STAMP)
	@./scripts/system-deps.sh test
	$(MAKE) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/python scripts/i18n.py check

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup

i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py update

bench: $(STAMP)
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
