# `make demo` installs and starts the platform with demo data; `make test` installs and runs the
# whole test suite. Both install missing Debian packages, a virtualenv in .venv and the package.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint translations system-deps system-deps-test clean

demo: system-deps $(VENV)/.installed
	$(BIN)/chinhquyenso demo

test: system-deps-test $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# Extract new interface strings into chinhquyenso/locale/en/LC_MESSAGES/django.po, then compile every
# .po to its committed .mo. Extraction needs GNU gettext (apt-get install gettext); compiling does not.
translations: $(VENV)/.installed
	cd chinhquyenso && $(abspath $(BIN))/chinhquyenso manage makemessages -l en --no-obsolete --no-wrap --add-location file
	$(BIN)/chinhquyenso manage compile_translations

system-deps:
	@scripts/system-deps.sh

system-deps-test:
	@scripts/system-deps.sh --test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e ".[test]"
	@touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) var test-artifacts
