# GuardLoop: `make run` sets everything up and runs the demo; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup translations translations-update lint-models bench clean

setup: $(STAMP) node_modules/.installed translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d web/translations

# after adding UI strings: refresh the template and both catalogs, then translate the new zh entries
translations-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k lazy_gettext -o web/translations/messages.pot web
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching

$(STAMP): pyproject.toml deploy/system-deps.sh
	./deploy/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: setup
	GUARDLOOP_DEMO=1 $(BIN)/guardloop init --demo-users
	GUARDLOOP_DEMO=1 $(BIN)/guardloop demo
	GUARDLOOP_DEMO=1 $(BIN)/guardloop tick
	GUARDLOOP_DEMO=1 $(BIN)/guardloop serve --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest -n 2

lint-models: node_modules/.installed
	npx --no-install bpmnlint workflows/*.bpmn

bench: setup
	$(BIN)/python -m bench.engine_step
	$(BIN)/python -m bench.documents

clean:
	rm -rf $(VENV) node_modules instance test-output
