# assess: two commands on a fresh machine (nothing installed by hand):
#   make assessment   set up, write the demo data if absent, ingest it, run the default assessment
#   make test         set up, then run every test
# Other targets: make lab (JupyterLab with the project's kernel), make lock (refresh requirements.lock),
# make benchmark, make clean.

PYTHON ?= python3
# bash with pipefail: a failing pip is not hidden by the filter its output goes through
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Exact versions and hashes of every package, for Python 3.11 on x86-64 Linux (`make lock` writes it).
LOCK   := requirements.lock
LOCK_PYTHON   ?= 3.11
LOCK_PLATFORM ?= x86_64-unknown-linux-gnu
# JupyterLab: `make lab LAB_ARGS="--port 8890 --no-browser"` (python -m assess.lab --help lists them).
LAB_ARGS ?=
RAW    ?= data/raw
PROCESSED ?= data/processed
REPORTS ?= reports
CSP    ?= wessex-vale
YEAR   ?= 2024/25
JOBS   ?= 2
# Debian packages the tests need: headless Chromium for the browser test, pdftoppm for the PDF pages,
# npm for axe-core (the accessibility rules the browser tests run).
SYSTEM_PACKAGES := chromium poppler-utils npm
# axe-core, from the npm registry, pinned; its minified script is copied into tests/vendor/.
AXE_VERSION := 4.12.1
AXE := tests/vendor/axe.min.js

.PHONY: setup sysdeps axe demo ingest assessment test test-fast lab lock benchmark clean strip-notebooks

setup: $(STAMP)

# Every package from the lock file, each checked against its hash; then the project itself, without
# resolving anything again; then the notebooks' kernel and the git filter that strips their outputs
# (keeping cell ids: executed notebooks and reviewers' diffs refer to them).
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK) 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/python -c "import assess, papermill, weasyprint, duckdb, pandera"
	$(BIN)/python -m ipykernel install --sys-prefix --name assess --display-name assess >/dev/null
	if git rev-parse --git-dir >/dev/null 2>&1; then \
	  $(BIN)/nbstripout --install --attributes .gitattributes && \
	  git config filter.nbstripout.clean '"$(abspath $(BIN))/python" -m nbstripout --keep-id'; fi
	touch $(STAMP)

# Refresh requirements.lock from pyproject.toml (runtime and dev dependencies) with uv, which the lock
# itself installs (bootstrapped with pip when the environment has none yet); environment.yml follows it.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet \
	  --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
	  --custom-compile-command "make lock" --output-file $(LOCK)
	$(BIN)/python tools/environment_yml.py --write --python $(LOCK_PYTHON)

# System packages for the tests, installed with apt when missing (CI and fresh machines run as root).
sysdeps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	      || echo "could not install$$missing: the tests that need them will be skipped, saying why"; \
	  else echo "missing$$missing (not root): the tests that need them will be skipped, saying why"; fi; \
	fi

# axe-core $(AXE_VERSION) for tests/test_accessibility.py (skipped, saying why, without it).
axe: $(AXE)

$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix .cache/npm axe-core@$(AXE_VERSION) \
	    && mkdir -p $(dir $(AXE)) && cp .cache/npm/node_modules/axe-core/axe.min.js $(AXE); \
	else echo "npm missing: the accessibility tests will be skipped, saying why"; fi

demo: setup
	test -f $(RAW)/DEMO_README.md || $(BIN)/assess demo --raw $(RAW)

ingest: demo
	$(BIN)/assess ingest --raw $(RAW) --processed $(PROCESSED)

assessment: ingest
	$(BIN)/assess run --csp $(CSP) --year $(YEAR) --raw $(RAW) --processed $(PROCESSED) --out $(REPORTS) --jobs $(JOBS)

test: setup sysdeps axe
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not e2e and not browser"

# The assess kernel, the notebooks folder, --allow-root only as root (src/assess/lab.py; the browser test uses it).
lab: setup
	$(BIN)/python -m assess.lab $(LAB_ARGS)

benchmark: setup
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_bundle.py

strip-notebooks: setup
	$(BIN)/nbstripout --keep-id notebooks/*.ipynb

clean:
	rm -rf .cache/npm
	rm -rf $(PROCESSED)/*.parquet $(PROCESSED)/manifest.json $(REPORTS)/*/ .pytest_cache
