# The course's commands. Two are all a reader needs:  make book  and  make test.
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
JB_FLAGS := -W -n --keep-going
PYTEST_WORKERS ?= 2

.PHONY: book test lab serve bench lint browser clean help vendor views

help:
	@echo "make book   - set up .venv, execute every notebook, build _build/html"
	@echo "make test   - lint, unit/property tests, nbval, a forced book build, browser tests"
	@echo "make lab    - open the notebooks in JupyterLab"
	@echo "make serve  - serve _build/html on http://127.0.0.1:8000"
	@echo "make bench  - measure performance (also the published pages); writes benchmarks/results/"
	@echo "make views  - rebuild the playgrounds' JavaScript bundles (after editing views/js/)"

# --- environment ------------------------------------------------------------
$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11+ is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# The widget runtime for the static book (require.js, html-manager, anywidget), pinned in
# package-lock.json and copied into book/vendor by scripts/vendor_widgets.py; esbuild (also
# pinned there) bundles each view's ES module into src/attn_course/views/static/ (committed:
# pip users have no npm), see scripts/build_views.py.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

vendor: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/vendor_widgets.py
	$(BIN)/python scripts/build_views.py

# Rebuild only the view bundles (after editing src/attn_course/views/js/).
views: $(NODE_STAMP)
	$(BIN)/python scripts/build_views.py

# Chromium for the browser tests: one already installed (`chromium`, or CHROMIUM=/path);
# else Debian's package (as root on Debian); else Playwright's own build, e.g. on GitHub's
# Ubuntu runners, where apt's `chromium` is only a snap stub. The browser fixture uses
# Playwright's build when /usr/bin/chromium is missing.
browser: $(STAMP)
	@if [ -n "$$CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if grep -qx 'ID=debian' /etc/os-release 2>/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
		echo "Installing Playwright's Chromium for the browser tests"; \
		$(BIN)/python -m playwright install --with-deps chromium; \
	fi

# --- the two commands -----------------------------------------------------------
book: vendor
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "The book: file://$(CURDIR)/_build/html/index.html"

test: vendor browser
	$(BIN)/ruff check src tests notebooks benchmarks scripts book/_ext
	rm -rf _build/.jupyter_cache
	$(BIN)/jupyter-book build . $(JB_FLAGS) --all
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope --nbval-lax tests notebooks

# --- conveniences ---------------------------------------------------------------
# LAB_DIR and LAB_FLAGS let a test start it on another folder, port and token, e.g.
#   make lab LAB_DIR=/tmp/nb LAB_FLAGS="--no-browser --port=8899 --IdentityProvider.token=t"
LAB_DIR ?= notebooks
LAB_FLAGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(LAB_FLAGS) $(LAB_DIR)

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

# Lighthouse (pinned in benchmarks/package.json) is installed here only: `make book` stays lean.
BENCH_NODE_STAMP := benchmarks/node_modules/.installed
$(BENCH_NODE_STAMP): benchmarks/package.json benchmarks/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix benchmarks --no-audit --no-fund --loglevel=error
	touch $(BENCH_NODE_STAMP)

bench: book browser $(BENCH_NODE_STAMP)
	$(BIN)/python benchmarks/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks benchmarks scripts book/_ext

clean:
	rm -rf _build .pytest_cache .ruff_cache
