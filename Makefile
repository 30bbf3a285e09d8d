# Con đường hướng thiện — every verb of the project. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10; the gateway runs on the default python3 (3.11).
ENGINE_PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
GATEWAY_PYTHON ?= $(shell for p in python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info[:2] >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)

ENGINE := .venv/engine/bin
GATEWAY := .venv/gateway/bin

export PORT ?= 8000
export RASA_PORT ?= 5005
export ACTIONS_PORT ?= 5055
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONPATH := $(CURDIR)

FILE ?= tests/data/heldout.tsv
MODE ?= intent
URL ?=

.PHONY: help install model run shell test test-engine test-stories test-gateway test-stack kb-check eval bench lint admin clean

help: ## list the verbs
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 22

install: .venv/engine/.installed .venv/gateway/.installed ## build both environments from the lock files

.venv/engine/.installed: requirements/engine.lock
	@test -n "$(ENGINE_PYTHON)" || { echo "Python 3.10 not found (Rasa 3.6 needs it)"; exit 1; }
	$(ENGINE_PYTHON) -m venv .venv/engine
	$(ENGINE)/pip install -q --upgrade pip
	$(ENGINE)/pip install -q -r requirements/engine.lock
	touch $@

.venv/gateway/.installed: requirements/gateway.lock
	@test -n "$(GATEWAY_PYTHON)" || { echo "Python 3.11 not found"; exit 1; }
	$(GATEWAY_PYTHON) -m venv .venv/gateway
	$(GATEWAY)/pip install -q --upgrade pip
	$(GATEWAY)/pip install -q -r requirements/gateway.lock
	touch $@

model: .venv/engine/.installed ## train the model, only when its inputs changed
	@$(ENGINE)/python -m tools.train

run: install model ## start engine, actions and gateway (http://localhost:$(PORT))
	@# honcho gives each process PORT=base+100*i: the gateway comes first, so it keeps $(PORT).
	$(GATEWAY)/honcho start -f Procfile -p $(PORT)

shell: install model ## chat with the bot in the terminal
	$(ENGINE)/python -m tools.shell

test: install model kb-check test-engine test-stories test-gateway test-stack ## run every test

test-engine: .venv/engine/.installed model
	$(ENGINE)/python -m pytest tests/engine -q

test-stories: .venv/engine/.installed model
	$(ENGINE)/python -m tools.test_stories

test-gateway: .venv/gateway/.installed model
	$(GATEWAY)/python -m tools.test_gateway

test-stack: install model
	$(ENGINE)/python -m pytest tests/stack -q

kb-check: .venv/engine/.installed ## validate the knowledge base (schema, sources, review dates, buttons)
	$(ENGINE)/python -m knowledge_base.check

eval: install model ## score topics: make eval FILE=x.tsv [MODE=answers] [URL=http://host:port]
	@if [ -n "$(URL)" ]; then $(GATEWAY)/python -m tools.eval_http --file "$(FILE)" --url "$(URL)"; \
	else $(ENGINE)/python -m tools.eval --file "$(FILE)" --mode "$(MODE)"; fi

bench: install model ## latency and memory of the running stack's parts
	$(ENGINE)/python -m tools.bench

admin: .venv/gateway/.installed ## create an officer account: make admin USERNAME=an [ROLE=admin]
	$(GATEWAY)/python -m gateway.officers.create --username "$(USERNAME)" --role "$(or $(ROLE),admin)"

lint: .venv/gateway/.installed
	$(GATEWAY)/ruff check gateway channels tools knowledge_base bot actions tests

clean: ## remove environments, models and local data
	rm -rf .venv models var build
