"""Real processes for the tests: a Jupyter server with the extension, a team-mode companion."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import requests

import jupyterlab_conveyor

REPO = Path(__file__).resolve().parent.parent
# The Jupyter subprocesses import the same jupyterlab_conveyor as the tests: the checkout in a dev
# install, the installed wheel when the tests run against one.
PACKAGE_PARENT = Path(jupyterlab_conveyor.__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def pid_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (a zombie nobody reaped counts as gone)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def jupyter_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "CONVEYOR_"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(PACKAGE_PARENT), str(REPO / "tests"), os.environ.get("PYTHONPATH", "")])
        ),
    )
    return env


class JupyterServer:
    """``python -m jupyter_server`` on a free port with a token, temp dirs and the extension."""

    def __init__(
        self,
        home: Path,
        conveyor: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ):
        """``env``: extra variables for Jupyter and so the companion (e.g. ``CONVEYOR_REGISTRY``)."""
        self.home = home
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.prefix = str((extra or {}).get("ServerApp", {}).get("base_url", "/")).rstrip("/")
        self.base = f"http://127.0.0.1:{self.port}{self.prefix}"
        for sub in ("config", "data", "runtime", "root"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        config: dict[str, Any] = {
            "ServerApp": {
                "jpserver_extensions": {"jupyterlab_conveyor": True},
                "allow_root": True,
                "open_browser": False,
            },
            "IdentityProvider": {"token": self.token},
            "ConveyorApp": conveyor or {},
        }
        for section, values in (extra or {}).items():
            config.setdefault(section, {}).update(values)
        (home / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
        self.log_path = home / "jupyter.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={home / 'root'}",
                "--log-level=DEBUG",
                "--ConveyorApp.log_level=DEBUG",
            ],
            env={**jupyter_env(home), **(env or {})},
            cwd=str(home),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_up()

    # ---- helpers

    def _wait_up(self) -> None:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyter server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                return requests.get(self.url("/api/status"), headers=self.auth, timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_until(up, STARTUP_TIMEOUT, "the jupyter server")

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def url(self, path: str) -> str:
        return self.base + path

    def ws_url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{self.prefix}{path}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def companion_lines(self) -> list[str]:
        """What the companion wrote to stdout, as forwarded into the Jupyter log."""
        return [line for line in self.log_text().splitlines() if "[conveyor-server]" in line]

    def companion_info(self, timeout: float = 30.0) -> dict[str, Any]:
        """``<runtime dir>/conveyor-companion-<jupyter pid>.json``, once the companion is ready."""
        path = self.info_path
        wait_until(path.exists, timeout, f"{path}")
        return json.loads(path.read_text())

    @property
    def info_path(self) -> Path:
        return self.home / "runtime" / f"conveyor-companion-{self.proc.pid}.json"

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


class TeamCompanion:
    """The companion bundle run standalone in team mode, with user ``alice`` and her token."""

    def __init__(self, node: str, bundle: str, home: Path, user: str = "alice"):
        data = home / "team-data"
        data.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEYOR_")}
        self.env.update(
            CONVEYOR_MODE="team",
            CONVEYOR_HOST="127.0.0.1",
            CONVEYOR_PORT="0",
            CONVEYOR_DATA_DIR=str(data),
            CONVEYOR_EXIT_ON_STDIN_CLOSE="1",
        )
        self.node, self.bundle, self.user = node, bundle, user
        self.cli("users", "create", user)
        created = self.cli("tokens", "create", user, "--name", "jupyter", "--json")
        self.token = _find_secret(json.loads(created))
        self.proc = subprocess.Popen(
            [node, bundle, "serve"],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.port = self._read_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [self.node, self.bundle, *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"conveyor-server {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def _read_port(self) -> int:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError(
                    f"team companion exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
                )
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("event") == "listening":
                return int(record["port"])
        raise AssertionError("team companion did not print its port")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _find_secret(created: Any) -> str:
    """The bearer secret in ``tokens create --json`` output (``{"secret": ...}`` per the API schema)."""
    if isinstance(created, dict):
        if isinstance(created.get("secret"), str):
            return created["secret"]
        for value in created.values():
            found = _find_secret(value)
            if found:
                return found
    return ""


ERROR_SHAPE = re.compile(r"^[a-z_]+$")


def assert_conveyor_error(body: Any, code: str | None = None) -> None:
    """``body`` is a Conveyor API error (``schema/api/error.json``), i.e. it came from Conveyor."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert ERROR_SHAPE.match(error["code"]) and isinstance(error["message"], str), body
    if code is not None:
        assert error["code"] == code, body
