# hoso: `make demo` sets everything up and runs the demo; `make test` sets up and runs the tests.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test system system-test postgres venv lint bench bench-scale bench-fields bench-faults clean

demo: system venv
	$(VENV)/bin/hoso demo

test: system-test venv postgres
	$(PY) -m pytest

system:
	@infra/install-system.sh

system-test:
	@infra/install-system.sh --test

postgres:
	@infra/ensure-postgres.sh

venv: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

lint: venv
	$(VENV)/bin/ruff check .

bench: system venv
	$(PY) bench/ocr_throughput.py

bench-scale: system venv postgres
	$(PY) bench/report_scale.py

bench-fields: system venv
	$(PY) bench/field_accuracy.py

bench-faults: system venv postgres
	$(PY) bench/faults.py

clean:
	rm -rf hoso-data .pytest_cache
