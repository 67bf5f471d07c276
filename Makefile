# The two commands of the README: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup model index run test lint bench lock research-models

help:
	@echo "make run    set up what is missing, train/index if changed, start Rasa + actions + web on http://127.0.0.1:8000"
	@echo "make test   set up what is missing and run the whole test suite"
	@echo "make bench  retrieval benchmark (figures for the README)"

setup:
	@scripts/setup.sh

model: setup
	@source scripts/env.sh && .venv/bin/python scripts/train_model.py > /dev/null

index: setup
	@source scripts/env.sh && bin/assistant kb build

run: model index
	@scripts/run.sh

test: model index research-models
	@scripts/test.sh $(PYTEST_ARGS)

lint: setup
	@scripts/lint.sh

bench: index
	@bin/assistant bench retrieval

# Re-resolve the application lock after editing requirements/app.in (maintainers only).
lock:
	@.venv/bin/pip install -q -r requirements/app.in && .venv/bin/pip freeze --all | grep -v -iE "^(rasa-sdk|pip)==" > requirements/app.lock

research-models: setup
	@scripts/research_models.sh
