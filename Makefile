# Signpost: `make run` starts the app on its training directory; `make test`
# runs the lint and type gate, then every test; `make test-fast` the gate and
# the fast tier. Each target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SYSTEM := $(VENV)/.system-packages

export QT_QPA_PLATFORM_THEME :=

.PHONY: run serve run-remote admin lint test test-fast bench screenshots system venv clean package package-test

$(SYSTEM): packaging/debian-packages.txt packaging/ensure-debian-packages.sh
	@packaging/ensure-debian-packages.sh
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml $(SYSTEM)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

system: $(SYSTEM)
venv: $(STAMP)

PACKAGING := $(VENV)/.packaging-tools
$(PACKAGING): $(STAMP)
	@$(PY) -m pip install --quiet -e '.[test,package]'
	@touch $@

# Where `make run` keeps the private keyring it starts when the desktop has none
# (a training desk): the training directory's key must outlive one run. It holds
# that key and the audit-signing key, so it is never inside the data folder
# (~/.local/share/signpost), and its password is asked on the terminal (chosen
# the first time), never kept on disk (issue 13 §4.1; packaging/with-keyring.sh).
SIGNPOST_KEYRING_HOME ?= $(HOME)/.local/share/signpost-keyring
export SIGNPOST_KEYRING_HOME
export SIGNPOST_PYTHON := $(PY)

run: $(STAMP)
	@packaging/with-keyring.sh $(PY) main.py

# The training directory as an HTTPS service on loopback (prints its URL and CA bundle);
# options: make serve SERVE_PORT=9443 SERVE_ARGS="--idle-minutes 15". Then, in another
# terminal, `make run-remote` (same SERVE_PORT) runs the app against it.
SERVE_PORT ?= 8443
serve: $(STAMP)
	@packaging/with-keyring.sh $(PY) -m app.server --port $(SERVE_PORT) $(SERVE_ARGS)

# The national stack, cluster side (issue 16 §6): a PostgreSQL primary and its synchronous standby from Debian's
# packages (as the unprivileged account signpost-pg when run as root), the database with its roles and
# migrations, the training directory loaded, the audit-signing key on a SoftHSM token; Ctrl-C stops it. Data in
# /var/lib/signpost/national as root, else ~/.local/share/signpost/national. Options: make serve-national
# NATIONAL_ARGS="--children 100000 --data DIR". The two HTTPS service nodes on top are not built yet.
.PHONY: serve-national
serve-national: $(STAMP)
	@$(PY) -m app.national.stack $(NATIONAL_ARGS)

# Directory administration on the training directory, in make run's keyring:
# make admin ARGS="audit verify" (or "limits", "unlock-account --user NAME", "enrol-token --user NAME").
admin: $(STAMP)
	@packaging/with-keyring.sh $(PY) main.py $(ARGS)

run-remote: $(STAMP)
	@SIGNPOST_DIRECTORY_URL=https://127.0.0.1:$(SERVE_PORT) \
	 SIGNPOST_CA_BUNDLE="$$($(PY) -c 'from app.paths import Paths; print(Paths.default().data / "service" / "ca.pem")')" \
	 packaging/with-keyring.sh $(PY) main.py

# The gate, first: ruff (pyproject.toml's rule set: line length 120, no PySide6 in app/) over the code, and
# mypy on app/ (check_untyped_defs). `make test` stops here on any finding (tests/test_gate.py proves it does).
LINTED := app ui tests main.py packaging
lint: $(STAMP)
	@$(PY) -m ruff check $(LINTED)
	@$(PY) -m mypy

# Every test: the lint and type gate, the whole suite, then (as root, as CI runs it) the installed-package test
# below; PACKAGE_TEST=no leaves that last one out while working, and says so.
PACKAGE_TEST ?= yes
test: lint
	@SIGNPOST_KEYRING_HOME= QT_QPA_PLATFORM=offscreen packaging/with-keyring.sh $(PY) -m pytest $(PYTEST_ARGS)
	@if [ "$(PACKAGE_TEST)" = no ]; then echo "make test: the installed-package test was left out (PACKAGE_TEST=no)"; \
	 elif [ "$$(id -u)" != 0 ]; then echo "make test: the installed-package test needs root (dpkg -i): run sudo make package-test"; \
	 else $(MAKE) --no-print-directory package-test; fi

# While working: the tests that need no SoftHSM, keyring, Qt window, server or PostgreSQL (under a minute; markers
# in tests/conftest.py). Not a substitute for `make test`, which CI runs.
test-fast: lint
	@SIGNPOST_KEYRING_HOME= QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow" -p no:randomly -q $(PYTEST_ARGS)

# Search quality and speed against a plain-SQLite peer, start-up, sign-in and
# generation; the last line is JSON. Options: make bench BENCH_ARGS="--children
# 5000000" (default 1,000,000), "--per-type 200" (queries per error type, default
# 1,000), "--skip-app" (no start-up or sign-in figures).
bench: $(PACKAGING)
	@SIGNPOST_KEYRING_HOME= QT_QPA_PLATFORM=offscreen packaging/with-keyring.sh $(PY) -m tests.benchmarks.run $(BENCH_ARGS)

# The Debian packages: dist/signpost_<version>_amd64.deb (a PyInstaller one-folder bundle in
# /usr/lib/signpost) and dist/signpost-training_<version>_all.deb, checked with desktop-file-validate,
# appstreamcli and lintian (packaging/build_deb.py). Measured on 2 busy cores: about 10 minutes (PyInstaller
# 4.5 min, staging and gzip 1 min, lintian 5 min); package-test then takes 1-3 minutes.
package: $(PACKAGING)
	@$(PY) packaging/build_deb.py

# As root: install the packages with dpkg -i, run signpost --version, signpost --check and a sign-in under
# Xvfb from outside the tree, purge them and check nothing is left (packaging/package_test.py). make test runs it.
package-test: package
	@$(PY) packaging/package_test.py

clean:
	rm -rf $(VENV) build dist *.egg-info tests/_build .pytest_cache

# README screenshots, from the real app in a real (virtual) window.
screenshots: $(STAMP)
	@xvfb-run -a -s "-screen 0 1400x900x24" packaging/with-keyring.sh $(PY) packaging/screenshots.py
