#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh), then runs every test suite against real parts: the
# companion server's jest suites (SQLite and a real PostgreSQL, the real Docker engine), the
# extension's unit tests, the Python tests against a real Jupyter server, and galata in Debian
# Chromium. Every suite runs even when an earlier one fails; the last line is the total.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
"$ROOT/scripts/setup.sh"

results="$STATE/results"; rm -rf "$results"; mkdir -p "$results"
export CONVEYOR_TEST_IMAGE; CONVEYOR_TEST_IMAGE=$(cat "$STATE/base-image")
export CONVEYOR_TEST_PG_URL; CONVEYOR_TEST_PG_URL=$("$ROOT/scripts/postgres.sh")
export CONVEYOR_TEST_REGISTRY CONVEYOR_REGISTRY; CONVEYOR_TEST_REGISTRY=$("$ROOT/scripts/registry.sh"); CONVEYOR_REGISTRY=$CONVEYOR_TEST_REGISTRY
log "tests use image $CONVEYOR_TEST_IMAGE, $CONVEYOR_TEST_PG_URL and the registry $CONVEYOR_TEST_REGISTRY"

failed=()
suite() { # name command...
  local name=$1; shift
  local t=$(date +%s)
  log "suite $name"
  if "$@"; then log "suite $name passed in $(( $(date +%s) - t )) s"
  else log "suite $name FAILED in $(( $(date +%s) - t )) s"; failed+=("$name"); fi
}
suite schema npm --prefix server run --silent schema:check
suite server npm --prefix server test -- --json --outputFile="$results/server.jest.json"
suite extension npm test -- --json --outputFile="$results/extension.jest.json"
suite python "$VENV/bin/python" -m pytest -q tests --junitxml="$results/python.junit.xml"
suite ui bash -c "cd '$ROOT/ui-tests' && PLAYWRIGHT_JSON_OUTPUT_NAME='$results/ui.playwright.json' npx playwright test --reporter=list,json"

log "all suites ran in $(elapsed) s"
"$VENV/bin/python" "$ROOT/scripts/summarize-tests.py" "$results" "${failed[@]}"
