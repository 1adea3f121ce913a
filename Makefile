# The two commands a server admin needs:
#   make run    set up .venv (first time only) and start the bot
#   make test   set up .venv with the dev extras, lint with ruff, run the whole pytest suite
#               (against a throwaway PostgreSQL too, when PostgreSQL is installed)
#
# Setup is idempotent and fast when already done: a stamp file in .venv records the hash of
# pyproject.toml; pip only runs again when pyproject.toml changes or the stamp is missing.
# flock keeps two concurrent `make` runs from installing into the same venv at once.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

HASH := $(shell (sha256sum pyproject.toml 2>/dev/null || echo none) | cut -c1-16)
PIP := $(VENV)/bin/python -m pip --disable-pip-version-check --no-input
RUN_STAMP := $(VENV)/.claimbot-setup-run-$(HASH)
DEV_STAMP := $(VENV)/.claimbot-setup-dev-$(HASH)

.PHONY: help run test setup setup-dev lint pytest

help:
	@echo "make run    set up .venv and start the bot (needs DISCORD_TOKEN, see .env.example)"
	@echo "make test   set up .venv with dev extras, run ruff and the whole test suite"

run: setup
	@exec $(VENV)/bin/claimbot run

# Lint and tests both run, so one report shows every problem; either failing fails `make test`.
# pytest exit code 5 (no tests collected) is a failure like any other non-zero code.
test: setup-dev
	@lint=0; $(VENV)/bin/ruff check . || lint=$$?; \
	rc=0; bash .ci/postgres.sh with -- $(VENV)/bin/python -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests: FAILED" >&2; fi; \
	if [ $$lint -ne 0 ]; then echo "make test: ruff check found problems (see above): FAILED" >&2; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; exit $$lint

setup: $(RUN_STAMP)
	@:
setup-dev: $(DEV_STAMP)
	@:

# A venv from a Python without ensurepip (Debian without python3-venv) has no pip: re-create it.
$(VENV)/bin/pip:
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	@test -x $@ || { echo "$(VENV) has no pip. On Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }

$(RUN_STAMP): | $(VENV)/bin/pip
	@echo "Installing claimbot into $(VENV) (first time can take a minute)"
	@flock $(VENV)/.claimbot-setup.lock $(PIP) install --quiet -e .
	@rm -f $(VENV)/.claimbot-setup-run-*
	@touch $@

$(DEV_STAMP): | $(VENV)/bin/pip
	@echo "Installing claimbot with the dev extras into $(VENV) (first time can take a minute)"
	@flock $(VENV)/.claimbot-setup.lock $(PIP) install --quiet -e ".[dev]"
	@rm -f $(VENV)/.claimbot-setup-run-* $(VENV)/.claimbot-setup-dev-*
	@touch $@ $(RUN_STAMP)
