"""The two servers of bench/mlflow_tracking.py: a real ``mlflow server`` and a team-mode Conveyor."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "server" / "dist" / "conveyor-server.js"
STARTUP = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group this bench started (mlflow's workers are its children)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
    try:  # whatever is left of the group (mlflow's job consumers outlive its main process)
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(5)


class MlflowServer:
    """``mlflow server`` with a sqlite backend and proxied artifacts in ``home``, its default workers."""

    name = "MLflow"

    def __init__(self, python: Path, home: Path, workers: int | None = None):
        home.mkdir(parents=True, exist_ok=True)
        self.db_uri = f"sqlite:///{home / 'mlflow.db'}"
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.token = None
        args = [
            str(python.parent / "mlflow"),
            "server",
            "--backend-store-uri",
            self.db_uri,
            "--artifacts-destination",
            str(home / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        if workers:
            args += ["--workers", str(workers)]
        self.log = open(home / "mlflow-server.log", "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            args,
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"mlflow server exited; see {home / 'mlflow-server.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise SystemExit("mlflow server did not answer /health")

    @property
    def tracking_uri(self) -> str:
        return self.url

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


class ConveyorServer:
    """The companion bundle in team mode (as tests/servers.py's TeamCompanion), user ``bench`` + API token.

    The client reaches it as a notebook in a team deployment does:
    ``MLFLOW_TRACKING_URI=<origin>/conveyor/mlflow`` and ``MLFLOW_TRACKING_TOKEN=<api token>``.
    Log level: the default (info), written to a file."""

    name = "Conveyor"

    def __init__(self, node: str, home: Path, database_url: str | None = None):
        if not BUNDLE.exists():
            raise SystemExit(f"{BUNDLE} is missing: npm --prefix server run build")
        home.mkdir(parents=True, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CONVEYOR_", "MLFLOW_"))}
        self.env.update(
            CONVEYOR_MODE="team",
            CONVEYOR_HOST="127.0.0.1",
            CONVEYOR_PORT="0",
            CONVEYOR_DATA_DIR=str(home / "data"),
            CONVEYOR_EXIT_ON_STDIN_CLOSE="1",
            CONVEYOR_WORKSPACE_DIR=str(home),
        )
        if database_url:
            self.env["CONVEYOR_DATABASE_URL"] = database_url
        self.node = node
        self.cli("users", "create", "bench")
        self.token = json.loads(self.cli("tokens", "create", "bench", "--name", "bench", "--json"))["secret"]
        self.log_path = home / "conveyor-server.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [node, str(BUNDLE), "serve"],
            env=self.env,
            cwd=home,
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"conveyor server exited; see {self.log_path}")
            for line in self.log_path.read_text(errors="replace").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("event") == "listening":
                    self.url = f"http://127.0.0.1:{record['port']}"
                    return
            time.sleep(0.2)
        raise SystemExit("conveyor server did not print its port")

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [self.node, str(BUNDLE), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if done.returncode:
            raise SystemExit(f"conveyor-server {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    @property
    def tracking_uri(self) -> str:
        return f"{self.url}/conveyor/mlflow"

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()
