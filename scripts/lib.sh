# Shared helpers for Conveyor's scripts: sourced, not run.
# shellcheck shell=bash
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="${CONVEYOR_VENV:-$ROOT/.venv}"
STATE="${CONVEYOR_STATE_DIR:-$ROOT/.conveyor-test}"
export PATH="$VENV/bin:$PATH"
export npm_config_nodedir="${npm_config_nodedir:-/usr}"   # better-sqlite3 compiles against the system Node headers
mkdir -p "$STATE"

log() { printf '\033[1m[conveyor]\033[0m %s\n' "$*" >&2; }
die() { printf '[conveyor] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Seconds since the script started, for the timing lines CI prints.
elapsed() { echo $(( $(date +%s) - ${CONVEYOR_T0:-$(date +%s)} )); }
export CONVEYOR_T0="${CONVEYOR_T0:-$(date +%s)}"
