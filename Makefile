# cxkit — the two quick-start commands set themselves up: `make demo` and `make test`.
# `make demo` lists, checks, shows and compares the instruments, then checks the reliability and
# discriminant validity of the real ECSI data, fits the CX pyramid to the synthetic demo data, and
# writes the Indonesian and English questionnaires, the XLSForm and the codebook to out/.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format install clean bench

# (re)install when pyproject.toml changes; editable, with the dev extras
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxkit needs Python 3.11 or newer")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/cxkit instruments list
	$(VENV)/bin/cxkit instruments check
	$(VENV)/bin/cxkit instruments show online-cx@2.0.0 --store "Toko Contoh"
	$(VENV)/bin/cxkit instruments show online-cx@1.0.0 --lang id --store "Toko Contoh"
	$(VENV)/bin/cxkit instruments diff online-cx@1.0.0 online-cx@2.0.0
	$(VENV)/bin/cxkit reliability --dataset satisfaction
	$(VENV)/bin/cxkit sem --dataset online-cx-demo --model pyramid
	@mkdir -p out
	$(VENV)/bin/cxkit print online-cx@2.0.0 --lang id --store "Toko Contoh" -o out/kuesioner-id.pdf
	$(VENV)/bin/cxkit print online-cx@2.0.0 --lang en --store "Toko Contoh" -o out/questionnaire-en.pdf
	$(VENV)/bin/cxkit render online-cx@2.0.0 --format xlsform -o out/online-cx-2.0.0.xlsx
	$(VENV)/bin/cxkit render online-cx@2.0.0 --format codebook -o out/codebook.csv
	@echo "demo outputs are in out/"

test: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/cxkit instruments check
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
