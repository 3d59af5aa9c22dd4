#!/usr/bin/env bash
# Quick start: sets everything up, then runs JupyterLab with the Conveyor extension and its
# companion server on the embedded defaults (SQLite, the local Docker engine).
source "$(dirname "$0")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "${CONVEYOR_NOTEBOOK_DIR:-$ROOT}"
extra=()
[ "$(id -u)" = 0 ] && extra+=(--allow-root)
log "starting JupyterLab (Ctrl-C stops it and the companion server)"
exec "$VENV/bin/jupyter" lab --ip=127.0.0.1 --no-browser "${extra[@]}" "$@"
