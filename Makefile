# Two commands from a fresh clone: `make run` (the pipeline) and `make test` (the tests).
# Each installs what it needs: uv via pip if absent, then the locked environment.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
SYNC := .venv/.datapact-synced

.PHONY: run history test lint format ui bench check-uv clean

check-uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

$(SYNC): pyproject.toml uv.lock
	@$(MAKE) --no-print-directory check-uv
	$(UV) sync --locked --compile-bytecode
	@touch $@

# The demo: `datapact run` never makes data up, so the sample landing files are generated first.
# The catalog (.datapact/catalog) is refreshed after the run even when a contract is breached,
# so it shows the failing verdicts; `make run` still exits with the run's code.
run: $(SYNC)
	$(UV) run datapact generate
	@status=0; $(UV) run datapact run || status=$$?; \
	$(UV) run datapact catalog || exit $$?; \
	exit $$status

# a few clean daily deliveries, so anomaly monitors have a history to judge by
HISTORY_DAYS ?= 3
history: $(SYNC)
	@for day in $$(seq 1 $(HISTORY_DAYS)); do \
	  $(UV) run datapact generate --seed $$day && $(UV) run datapact run || exit $$?; \
	done

test: $(SYNC)
	@bash .ci/system-deps.sh
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run pytest -n 2 --dist loadfile

lint: $(SYNC)
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: $(SYNC)
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

ui: $(SYNC)
	$(UV) run datapact ui

bench: $(SYNC)
	$(UV) run python -m bench.check_step --rows 1000000 10000000 --json bench/results/last_run.json
	$(UV) run python -m bench.end_to_end --rows 1000000 10000000 --json bench/results/end_to_end.json
	$(UV) run python -m bench.incremental --rows 10000000 --days 100 --new-rows 100000 --json bench/results/incremental.json

clean:
	rm -rf .datapact
