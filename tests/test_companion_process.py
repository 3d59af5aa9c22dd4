"""The embedded companion's life: secret-protected port, restart, no orphan after Jupyter dies."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import psutil
import requests
from conftest import require
from servers import JupyterServer, assert_conveyor_error, pid_gone, wait_until

STATUS = "/conveyor/api/v1/status"
HEALTH = "/conveyor/api/v1/health"


def _ready(jupyter: JupyterServer) -> dict:  # type: ignore[type-arg]
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert r.status_code == 200, r.text
    return jupyter.companion_info()


def test_companion_port_refuses_calls_without_the_secret(jupyter: JupyterServer) -> None:
    info = _ready(jupyter)
    assert stat.S_IMODE(os.stat(jupyter.info_path).st_mode) == 0o600
    assert "secret" not in jupyter.info_path.read_text().lower()
    assert info["url"].startswith("http://127.0.0.1:")
    for headers in ({}, {"X-Conveyor-Secret": "guess"}, {"X-Conveyor-User": "root"}):
        r = requests.get(info["url"] + HEALTH, headers=headers, timeout=10)
        assert r.status_code == 401
        assert_conveyor_error(r.json(), "unauthenticated")


def test_companion_is_a_child_listening_on_loopback_only(jupyter: JupyterServer) -> None:
    info = _ready(jupyter)
    child = psutil.Process(info["pid"])
    assert child.ppid() == jupyter.proc.pid
    listening = [c for c in child.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert any(c.laddr.ip == "127.0.0.1" for c in listening)
    # Besides loopback, only the step-facing tracking listener, on the step network's gateway
    # (reachable from step containers only; docs/architecture.md, "Step network").
    others = {c.laddr.ip for c in listening if c.laddr.ip != "127.0.0.1"}
    if others:
        fmt = "{{(index .IPAM.Config 0).Gateway}}"
        gateway = subprocess.run(
            ["docker", "network", "inspect", "conveyor-steps", "--format", fmt],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        assert others == {gateway}


def test_companion_stops_with_jupyter_on_sigterm(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter()
    pid = _ready(jupyter)["pid"]
    jupyter.signal(signal.SIGTERM)
    jupyter.proc.wait(30)
    wait_until(lambda: pid_gone(pid), 10, f"companion {pid} to exit")
    assert not jupyter.info_path.exists()
    assert "Stopping the Conveyor companion server" in jupyter.log_text()


def test_companion_exits_when_jupyter_is_killed(bundle: str, start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter()
    pid = _ready(jupyter)["pid"]
    jupyter.signal(signal.SIGKILL)
    jupyter.proc.wait(10)
    # No shutdown code ran: the companion notices its stdin closing.
    wait_until(lambda: pid_gone(pid), 10, f"companion {pid} to exit after kill -9 of Jupyter")


def test_dead_companion_is_restarted_by_the_next_request(jupyter: JupyterServer) -> None:
    old = _ready(jupyter)["pid"]
    os.kill(old, signal.SIGKILL)
    # Sent at once: the request races the dying process (its port may still accept or refuse).
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=60)
    assert r.status_code == 200, r.text
    new = jupyter.companion_info()["pid"]
    assert new != old and not pid_gone(new)
    assert "was killed by signal 9" in jupyter.log_text()


def test_missing_node_answers_503_with_a_clear_message(start_jupyter) -> None:  # type: ignore[no-untyped-def]
    jupyter = start_jupyter(conveyor={"node": "/nonexistent/node"})
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=30)
    assert r.status_code == 503
    assert_conveyor_error(r.json(), "companion_unavailable")
    assert "Node.js was not found" in r.json()["error"]["message"]
    # Still Jupyter's login in front of the error.
    assert requests.get(jupyter.url(STATUS), timeout=30).status_code == 403


def test_companion_that_crashes_at_start_answers_503_with_its_error(
    node: str,
    start_jupyter,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    crashing = tmp_path / "crash.js"
    crashing.write_text("console.error('boom: cannot open the store'); process.exit(3);\n")
    jupyter = start_jupyter(conveyor={"companion_path": str(crashing)})
    r = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=30)
    assert r.status_code == 503
    message = r.json()["error"]["message"]
    assert "exited with code 3" in message and "boom: cannot open the store" in message
    # The next request tries again at once; after that, failures back off (1, 2, 4 ... 30 s):
    # a request within the delay gets 503 without a new start.
    for _ in range(2):
        again = requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=30)
        assert again.status_code == 503
    assert "Retrying in" in again.json()["error"]["message"]
    assert jupyter.log_text().count("Starting the Conveyor companion server") == 2


def test_the_secret_appears_in_no_log_and_no_file(jupyter: JupyterServer) -> None:
    info = _ready(jupyter)
    environ = Path(f"/proc/{info['pid']}/environ")
    require(environ.exists(), "no /proc filesystem to read the companion's environment from")
    variables = dict(v.split("=", 1) for v in environ.read_text().split("\0") if "=" in v)
    secret = variables["CONVEYOR_SECRET"]
    assert len(secret) >= 40  # 32 random bytes, urlsafe base64
    requests.post(jupyter.url("/conveyor/api/v1/tokens"), json={}, headers=jupyter.auth, timeout=30)
    requests.get(jupyter.url(STATUS), headers=jupyter.auth, timeout=30)
    assert secret not in jupyter.log_text()
    assert secret not in jupyter.info_path.read_text()
    # Jupyter's own credentials are not handed to the companion.
    assert not {"JUPYTER_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_API_TOKEN"} & set(variables)
