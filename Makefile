# Set-up and everyday commands. Every target installs what it needs into .venv,
# so on a fresh machine `make demo` and `make test` are all the set-up there is.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test recipes bench bench-readme screenshots playground lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

demo: $(STAMP)
	$(BIN)/mlplab demo

# Runs every recipe (a few minutes) and writes their results table into README.md
# and their pictures into docs/recipes/.
recipes: $(STAMP)
	$(BIN)/mlplab recipe readme --readme README.md --out runs/recipes --figures docs/recipes

test: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# Speed and memory against hand-written NumPy, scikit-learn and (when installed)
# PyTorch, the scikit-learn adapters' overhead and accuracy, the playground's live
# view, L-BFGS against gradient descent and Adam, and training on a large sparse
# matrix; several minutes. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/estimators.py
	$(BIN)/python benchmarks/playground.py
	$(BIN)/python benchmarks/lbfgs.py
	$(BIN)/python benchmarks/sparse.py
	$(BIN)/python benchmarks/engine.py

# The same, also writing the tables into README.md and the curves into docs/.
bench-readme: $(STAMP)
	$(BIN)/python benchmarks/run.py --readme README.md --plot docs/bench-scaling.png
	$(BIN)/python benchmarks/estimators.py --readme README.md
	$(BIN)/python benchmarks/playground.py --readme README.md
	$(BIN)/python benchmarks/lbfgs.py --readme README.md --plot docs/lbfgs.png
	$(BIN)/python benchmarks/sparse.py --readme README.md
	$(BIN)/python benchmarks/engine.py --readme README.md

# The playground in your browser (see README, "The playground").
playground: $(STAMP)
	$(BIN)/mlplab playground

# docs/playground.png: the playground after a short training run, taken with
# headless Chromium (Debian's chromium package) through playwright.
screenshots: $(DEV_STAMP)
	$(BIN)/python benchmarks/screenshots.py docs/playground.png

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build src/*.egg-info
