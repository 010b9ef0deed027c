# `make setup` builds .venv/ (idempotent); `make test` sets up when needed, then runs the suite.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.hrnet_plugin-setup
SETUP_INPUTS := tools/setup_env.sh $(wildcard requirements/*.txt)

.PHONY: setup install test test-fast lint demo benchmark doctor

setup: $(STAMP)

$(STAMP): $(SETUP_INPUTS)
	VENV=$(VENV) bash tools/setup_env.sh
	touch $@

# The plugin is installed as a regular package (mim runs its tools from site-packages), so it
# is reinstalled from the working tree before every test run.
install: setup
	$(PY) -m pip install -q --no-deps --no-build-isolation --force-reinstall .

lint: setup
	$(PY) -m ruff check hrnet_plugin configs tools tests setup.py

test: install lint
	$(PY) -m pytest -q tests

test-fast: install
	$(PY) -m pytest -q -m "not slow" tests

demo: install
	$(PY) tools/quickstart.py --out-dir work_dirs/quickstart

benchmark: install
	$(PY) tools/benchmark.py configs/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py --compare-mmpose --json work_dirs/benchmark.json

doctor: install
	$(PY) -m hrnet_plugin doctor
