# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-fast test-container install system-packages lint format migrations-check superuser lock messages clean

$(BIN)/activate: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

# axe-core and the Nu Html Checker, pinned by package-lock.json. --ignore-scripts: vnu-jar's
# install script would fetch a Java runtime; the system's Java is used instead.
node_modules/.package-lock.json: package-lock.json | system-packages
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

system-packages:
	@sh scripts/ensure_system_packages.sh

install: $(BIN)/activate

## Serve the site on http://127.0.0.1:$(PORT)/ with SQLite, emails printed here.
run: install
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py load_seed_petition --demo
	@echo ""
	@echo "  The seed petition:  http://127.0.0.1:$(PORT)/release-dr-wang-bingzhang/"
	@echo "  Organizers' admin:  http://127.0.0.1:$(PORT)/admin/  (create a login first: make superuser)"
	@echo "  Confirmation emails, with their links, are printed below by the email worker."
	@echo ""
	export SITE_URL=http://127.0.0.1:$(PORT); \
	$(BIN)/python manage.py send_queued_emails & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## The whole suite against a throwaway PostgreSQL that it starts and stops itself.
test: install node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 0
	$(BIN)/python scripts/run_tests.py $(ARGS)

## The quick loop: the suite without its system tests (gunicorn, clusters, Chromium, benchmarks).
test-fast: install
	$(BIN)/python scripts/run_tests.py -m "not system" $(ARGS)

## The image built and the compose stack run on a real Docker Engine (see docs/deploy.md).
test-container: install node_modules/.package-lock.json
	CONTAINER_TESTS=1 $(BIN)/python -m pytest tests/container -s -p no:cacheprovider $(ARGS)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

superuser: install
	$(BIN)/python manage.py createsuperuser

## Re-resolve the pinned dependencies from pyproject.toml.
lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --quiet --no-header -o requirements.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --quiet --no-header -o requirements-dev.txt

## Translations: refresh locale/*/django.po from the code, then (after translating) compile the
## .mo files, which are committed so that a fresh checkout needs no gettext. Needs gettext.
messages: install
	$(BIN)/python manage.py makemessages -l fr -l zh_Hans --no-location \
		--ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
