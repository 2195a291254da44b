# cxkit — the two quick-start commands set themselves up: `make demo` and `make test`.
# `make demo` checks the instruments, writes the Indonesian and English questionnaires, the XLSForm and
# the codebook, and runs the main job (cxkit analyze) on the bundled synthetic demo data: all into out/.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint format install clean bench notebooks

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
	@mkdir -p out
	$(VENV)/bin/cxkit print online-cx@2.0.0 --lang id --store "Toko Contoh" -o out/kuesioner-id.pdf
	$(VENV)/bin/cxkit print online-cx@2.0.0 --lang en --store "Toko Contoh" -o out/questionnaire-en.pdf
	$(VENV)/bin/cxkit render online-cx@2.0.0 --format xlsform -o out/online-cx-2.0.0.xlsx
	$(VENV)/bin/cxkit render online-cx@2.0.0 --format codebook -o out/codebook.csv
	$(VENV)/bin/cxkit analyze --dataset online-cx-demo --model pyramid --out out/report
	@echo
	@echo "demo outputs in out/: kuesioner-id.pdf, questionnaire-en.pdf, online-cx-2.0.0.xlsx, codebook.*,"
	@echo "and the study report out/report/report.html (also report.pdf, tables/, figures/)"

test: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/cxkit instruments check
	$(PY) -m pytest

# the quick subset for everyday work (under 2 minutes): lint, the instrument check, the tests not
# marked slow (reference fits, bootstrap, notebooks, the wheel and whole studies run in `make test`)
check: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/cxkit instruments check
	$(PY) -m pytest -m "not slow" -q

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

# re-execute the notebooks in place and save them with their outputs (figures show where they are read)
notebooks: $(STAMP)
	cd notebooks && ../$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace *.ipynb

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
