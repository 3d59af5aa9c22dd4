#!/usr/bin/env bash
# Sets up everything Conveyor needs on a fresh Debian machine, skipping what is already there:
# Debian packages (Docker engine, Chromium, debootstrap, PostgreSQL, docker-registry), dockerd, the image registry, a Python venv with
# JupyterLab, npm dependencies, the builds (companion server, labextension), the Python package
# in development mode, and the notebook-step base and notebook images.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

# --- Debian packages -------------------------------------------------------------------------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v debootstrap >/dev/null || need+=(debootstrap)
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v git >/dev/null || need+=(git)
command -v tar >/dev/null || need+=(tar)
command -v curl >/dev/null || need+=(curl)
command -v htpasswd >/dev/null || need+=(apache2-utils)   # bcrypt logins of the test registry with auth
if [ ${#need[@]} -gt 0 ]; then
  log "apt: installing ${need[*]}"
  as_root apt-get update -qq >/dev/null || log "apt-get update reported errors; trying the install anyway"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Debian's postgresql package starts a cluster on 5432; the tests use their own on another port.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))"

# --- Docker engine -----------------------------------------------------------------------------
"$ROOT/scripts/dockerd.sh"

# --- image registry (Debian's docker-registry on 127.0.0.1:5000) --------------------------------
"$ROOT/scripts/registry.sh" >/dev/null

# --- npm dependencies and builds -------------------------------------------------------------
stamp() { sha256sum "$@" 2>/dev/null | sha256sum | cut -c1-16; }
npm_ci() { # dir
  local dir=$1 s; s=$(stamp "$dir/package-lock.json")
  if [ ! -d "$dir/node_modules" ] || [ "$(cat "$dir/node_modules/.conveyor.stamp" 2>/dev/null)" != "$s" ]; then
    log "npm: installing in ${dir#"$ROOT"/}"
    # `npm install` rather than `npm ci`: the lock pins every version, but the registry copy here
    # lacks some other-platform optional binaries (@rspack/binding-darwin-*, …), which `npm ci`
    # treats as a lock mismatch and refuses.
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    echo "$s" >"$dir/node_modules/.conveyor.stamp"
  fi
}
npm_ci "$ROOT/server"
npm_ci "$ROOT"
npm_ci "$ROOT/ui-tests"
log "build: companion server"
npm --prefix server run --silent build >/dev/null
log "build: labextension"
npm run --silent build >/dev/null

# --- Python venv: JupyterLab, the test tools, Conveyor in development mode ----------------------
if [ ! -x "$VENV/bin/python" ]; then
  log "python: creating $VENV"
  python3 -m venv "$VENV"
fi
pystamp=$(stamp pyproject.toml hatch_build.py)
if [ "$(cat "$STATE/pip.stamp" 2>/dev/null)" != "$pystamp" ] || [ ! -x "$VENV/bin/jupyter-lab" ]; then
  log "python: installing JupyterLab, the test tools and jupyterlab-conveyor (editable)"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
  # The npm builds just ran; the editable install must not run them again.
  HATCH_JUPYTER_BUILDER_SKIP_NPM=1 "$VENV/bin/pip" install -q -e ".[test]"
  echo "$pystamp" >"$STATE/pip.stamp"
fi
"$VENV/bin/jupyter" labextension develop --overwrite . >/dev/null 2>&1
"$VENV/bin/jupyter" server extension enable --sys-prefix jupyterlab_conveyor >/dev/null 2>&1

# --- base image -----------------------------------------------------------------------------
CONVEYOR_BASE_IMAGE=$("$ROOT/images/base/build.sh")
echo "$CONVEYOR_BASE_IMAGE" >"$STATE/base-image"
# ... and in the registry as shared/base (a no-op when that tag is there: tags are immutable).
"$ROOT/images/build.sh" base >"$STATE/base-registry-image"
# The notebook image (base + kernel tools + the MLflow client) as conveyor/notebook:dev, built from
# its lock; skipped when the image of this exact recipe (its <version>-b<build id> tag) exists.
"$ROOT/images/build.sh" notebook --no-push >"$STATE/notebook-image"
# The data-science image (base + pandas, scikit-learn, pyarrow, mlflow-skinny) as conveyor/datascience:dev:
# the built-in components run in it (server/assets/components, docs/components.md). Skipped likewise.
"$ROOT/images/build.sh" datascience --no-push >"$STATE/datascience-image"
# The wheel of Conveyor the workspace image installs (labextension + server extension, no companion:
# CONVEYOR_WHEEL_WITHOUT_COMPANION=1), packed from the builds above in ~1 s; pure Python, so it only
# changes (and the image with it) when the extension or the Python package does.
rm -rf "$STATE/wheel"
CONVEYOR_WHEEL_WITHOUT_COMPANION=1 HATCH_JUPYTER_BUILDER_SKIP_NPM=1 \
  "$VENV/bin/python" -m build --wheel --no-isolation --outdir "$STATE/wheel" . >"$STATE/wheel.log" 2>&1 ||
  die "building the jupyterlab_conveyor wheel failed: see $STATE/wheel.log"
# The managed-workspace image (the notebook image + JupyterLab 4.6 + that wheel) as conveyor/workspace:dev
# (docs/workspaces.md): 44 s here on a warm notebook image, 442 MiB; the wheel's layer +8 s, +3 MiB.
# Skipped likewise (the wheel's hash is part of the build id).
"$ROOT/images/build.sh" workspace --no-push >"$STATE/workspace-image"
log "setup done in $(elapsed) s (base image $CONVEYOR_BASE_IMAGE, notebook image $(cat "$STATE/notebook-image"))"
