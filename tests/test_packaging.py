"""Packaging: the wheel's contents, the installed extension, the Binder files."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import requests
import yaml
from conftest import require
from servers import REPO, wait_until

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LABEXTENSION = REPO / "jupyterlab_conveyor" / "labextension"


def _jupyter(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    return ANSI.sub("", done.stdout + done.stderr)


def _installed() -> None:
    try:
        metadata.version("jupyterlab-conveyor")
    except metadata.PackageNotFoundError:
        require(
            False, "jupyterlab-conveyor is not installed: HATCH_JUPYTER_BUILDER_SKIP_NPM=1 pip install -e ."
        )


# ---- Binder


def test_binder_environment_is_valid_conda_yaml() -> None:
    env = yaml.safe_load((REPO / "binder" / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    deps = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in deps and "nodejs=20" in deps and "jupyterlab=4.6" in deps


def test_binder_postbuild_is_an_executable_python_script() -> None:
    path = REPO / "binder" / "postBuild"
    source = path.read_text()
    assert source.startswith("#!/usr/bin/env python")
    compile(source, str(path), "exec")
    assert os.access(path, os.X_OK)


# ---- static config


def test_install_json_and_server_config_enable_the_extension() -> None:
    install = json.loads((REPO / "install.json").read_text())
    assert install == {
        "packageManager": "python",
        "packageName": "jupyterlab-conveyor",
        "uninstallInstructions": (
            "Use your Python package manager (pip, conda, etc.) to uninstall the package jupyterlab-conveyor"
        ),
    }
    config = json.loads((REPO / "jupyter-config" / "server-config" / "jupyterlab_conveyor.json").read_text())
    assert config["ServerApp"]["jpserver_extensions"] == {"jupyterlab_conveyor": True}


# ---- installed extension


def test_server_extension_is_enabled_and_loads() -> None:
    _installed()
    out = _jupyter("server", "extension", "list")
    assert re.search(r"jupyterlab_conveyor\s+enabled", out), out
    assert re.search(r"jupyterlab_conveyor \S+ OK", out), out


def test_labextension_is_installed_and_enabled() -> None:
    _installed()
    require((LABEXTENSION / "package.json").is_file(), "labextension not built: run `npm run build`")
    out = _jupyter("labextension", "list")
    assert re.search(r"jupyterlab-conveyor v\S+ enabled\s+OK", out), out


# ---- the wheel


@pytest.fixture(scope="module")
def wheel(bundle: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(
        (LABEXTENSION / "static" / "style.js").is_file(), "labextension not built: run `npm run build:prod`"
    )
    require(
        (REPO / "server" / "dist" / "conveyor-server.js").is_file(), "run `npm --prefix server run build`"
    )
    out = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "HATCH_JUPYTER_BUILDER_SKIP_NPM": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (path,) = out.glob("*.whl")
    return path


def test_wheel_ships_labextension_companion_and_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "jupyterlab_conveyor-" + wheel.name.split("-")[1] + ".data/data/"
    for expected in [
        "jupyterlab_conveyor/_version.py",
        "jupyterlab_conveyor/companion/conveyor-server.js",
        "jupyterlab_conveyor/companion/node_modules/better-sqlite3/build/Release/better_sqlite3.node",
        "jupyterlab_conveyor/companion/node_modules/bindings/bindings.js",
        "jupyterlab_conveyor/companion/node_modules/file-uri-to-path/index.js",
        "jupyterlab_conveyor/companion/node_modules/@duckdb/node-api/lib/index.js",
        "jupyterlab_conveyor/companion/node_modules/@duckdb/node-bindings/duckdb.js",
        "jupyterlab_conveyor/companion/node_modules/detect-libc/lib/detect-libc.js",
        # Built-in components and pipeline templates (server/assets, copied to dist/assets by the bundle).
        "jupyterlab_conveyor/companion/assets/components/train-sklearn/component.yaml",
        "jupyterlab_conveyor/companion/assets/components/_shared/conveyor_component.py",
        "jupyterlab_conveyor/companion/assets/templates/train-evaluate-register.yaml",
        data + "share/jupyter/labextensions/jupyterlab-conveyor/package.json",
        data + "share/jupyter/labextensions/jupyterlab-conveyor/install.json",
        data + "etc/jupyter/jupyter_server_config.d/jupyterlab_conveyor.json",
    ]:
        assert expected in names, expected
    assert not any("/deps/" in n or n.endswith((".cc", ".c")) for n in names), "SQLite sources in the wheel"
    # A native addon inside: the wheel must not claim to fit every platform.
    assert not wheel.name.endswith("-any.whl")


def test_companion_runs_from_the_wheel_layout(wheel: Path, node: str, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    companion = tmp_path / "site" / "jupyterlab_conveyor" / "companion" / "conveyor-server.js"
    secret = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
    env.update(
        CONVEYOR_MODE="embedded",
        CONVEYOR_PORT="0",
        CONVEYOR_SECRET=secret,
        CONVEYOR_DATA_DIR=str(tmp_path / "data"),
        CONVEYOR_EXIT_ON_STDIN_CLOSE="1",
    )
    # cwd outside the repository: better-sqlite3 must resolve from the companion's own node_modules.
    proc = subprocess.Popen(
        [node, str(companion), "serve"], env=env, cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        port = wait_until(lambda: _port(proc.stdout.readline()), 30, "the listening line")
        r = requests.get(
            f"http://127.0.0.1:{port}/conveyor/api/v1/status",
            headers={"X-Conveyor-Secret": secret},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        assert r.json()["store"]["kind"] == "sqlite"
    finally:
        proc.terminate()
        proc.wait(10)


def test_duckdb_loads_from_the_wheel_layout(wheel: Path, node: str, tmp_path: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    binding = [n for n in names if re.search(r"/@duckdb/node-bindings-[^/]+/duckdb\.node$", n)]
    assert binding, "no DuckDB native binding in the wheel"
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    companion = tmp_path / "site" / "jupyterlab_conveyor" / "companion"
    # Resolved as the bundle does (from the companion's folder), with cwd outside the repository.
    script = (
        "const { createRequire } = require('node:module');"
        f"const r = createRequire({json.dumps(str(companion / 'conveyor-server.js'))});"
        "const path = r.resolve('@duckdb/node-api');"
        "r('@duckdb/node-api').DuckDBInstance.create(':memory:')"
        ".then(db => db.connect()).then(c => c.runAndReadAll('SELECT 6 * 7 AS answer'))"
        ".then(res => console.log(JSON.stringify({ path, rows: res.getRowObjectsJson() })));"
    )
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["path"].startswith(str(companion / "node_modules" / "@duckdb" / "node-api"))
    assert out["rows"] == [{"answer": 42}]


def _port(line: bytes) -> int | None:
    if not line:
        raise AssertionError("the companion from the wheel exited before listening")
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record.get("port") if record.get("event") == "listening" else None
