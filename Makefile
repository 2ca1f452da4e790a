# jxq_cases — the two commands of the README, and a few for developers.
#   make run   start the product on embedded defaults (SQLite, filesystem broker) with demo data
#   make test  type-check dispatch/ and reporting/, then run the whole suite against PostgreSQL and Redis
#              on 127.0.0.1

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DEBUG ?= 1

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jxq_cases
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test typecheck lint fmt venv services browser migrate demo

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

migrate: venv
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py seed_demo --if-empty

run: demo
	@scripts/run-dev.sh

services:
	@scripts/ensure-services.sh

browser:
	@scripts/ensure-browser.sh

# mypy with django-stubs over dispatch/ and reporting/ ([tool.mypy] in pyproject.toml; cache under var/)
typecheck: venv
	$(PY) -m mypy

test: venv services browser typecheck
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) $(PY) -m pytest --create-db $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .
