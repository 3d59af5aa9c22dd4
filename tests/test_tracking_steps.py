"""Every step is a tracked run: a real Jupyter server, the real companion, the real Docker engine,
the notebook image's unmodified ``mlflow`` client inside the step, and the real ``mlflow`` client
from the host through Jupyter's proxy."""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
from conftest import require
from servers import JupyterServer

from jupyterlab_conveyor.mlflow_env import export_mlflow_env, tracking_uri

IMAGE = os.environ.get("CONVEYOR_TRACKING_TEST_IMAGE", "conveyor/notebook:dev")
RUNS = "/conveyor/api/v1/runs"
MLFLOW = "/conveyor/mlflow/api/2.0/mlflow"
TERMINAL = {"succeeded", "failed", "cancelled"}


def notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in sources)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def image() -> str:
    done = subprocess.run(
        ["docker", "run", "--rm", IMAGE, "python3", "-c", "import mlflow, papermill"],
        capture_output=True,
        timeout=120,
    )
    require(done.returncode == 0, f"{IMAGE} with mlflow and papermill is not built (scripts/setup.sh)")
    return IMAGE


@pytest.fixture(scope="module")
def server(jupyter: JupyterServer) -> JupyterServer:
    r = requests.get(
        jupyter.url(f"{MLFLOW}/experiments/get-by-name"),
        headers=jupyter.auth,
        timeout=60,
        params={"experiment_name": "Default"},
    )
    assert r.status_code == 200, r.text
    return jupyter


def submit(server: JupyterServer, body: dict[str, Any]) -> dict[str, Any]:
    r = requests.post(server.url(RUNS), headers=server.auth, json=body, timeout=60)
    assert r.status_code == 201, r.text
    return r.json()


def wait_run(server: JupyterServer, run_id: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = requests.get(server.url(f"{RUNS}/{run_id}"), headers=server.auth, timeout=30).json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish: {run}")


def mlflow_get(server: JupyterServer, path: str, **params: Any) -> dict[str, Any]:
    r = requests.get(server.url(f"{MLFLOW}/{path}"), headers=server.auth, params=params, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def search(server: JupyterServer, experiment: str) -> list[dict[str, Any]]:
    """The experiment's tracked runs through Conveyor's own API, with every run's tags and params."""
    exp = mlflow_get(server, "experiments/get-by-name", experiment_name=experiment)["experiment"]
    r = requests.post(
        server.url(f"{MLFLOW}/runs/search"),
        headers=server.auth,
        timeout=60,
        json={"experiment_ids": [exp["experiment_id"]], "max_results": 100},
    )
    assert r.status_code == 200, r.text
    return r.json().get("runs", [])


def as_dict(items: list[dict[str, Any]] | None) -> dict[str, Any]:
    return {i["key"]: i["value"] for i in items or []}


def test_a_step_logs_to_its_own_tracked_run_with_lineage(server: JupyterServer, image: str) -> None:
    root = server.home / "root"
    experiment = f"steps-{uuid.uuid4().hex[:8]}"
    notebook(
        root / "train.ipynb",
        "import mlflow\nmlflow.log_metric('acc', 0.9)\nmlflow.log_param('lr', 0.1)\n"
        "mlflow.log_text('hello', 'notes/hello.txt')\nopen('model.txt', 'w').write('weights')",
        parameters="epochs = 1",
    )
    run = submit(
        server,
        {
            "notebook": {
                "path": "train.ipynb",
                "image": image,
                "params": {"epochs": 3},
                "outputs": ["model.txt"],
                "resources": {"profile": "small"},
            },
            "experiment": experiment,
            "cache": False,
        },
    )
    done = wait_run(server, run["id"])
    assert done["status"] == "succeeded", json.dumps(done, indent=1)

    runs = search(server, experiment)
    assert len(runs) == 1, runs
    info, data = runs[0]["info"], runs[0]["data"]
    assert info["status"] == "FINISHED"
    metrics = {m["key"]: m["value"] for m in data.get("metrics", [])}
    params = as_dict(data.get("params"))
    tags = as_dict(data.get("tags"))
    assert metrics["acc"] == 0.9
    assert metrics["conveyor.duration_seconds"] > 0
    assert params == {"epochs": "3", "lr": "0.1"}
    step = done["steps"][0]
    assert tags["conveyor.run_id"] == run["id"]
    assert tags["conveyor.step"] == step["name"]
    assert tags["conveyor.attempt"] == "1"
    assert tags["conveyor.notebook_hash"] == step["notebookHash"]
    assert tags["conveyor.image"] == image
    assert tags["conveyor.image_digest"] == step["imageDigest"]
    assert tags["mlflow.source.type"] == "JOB"
    assert tags["mlflow.source.name"].endswith("train.ipynb")
    assert tags["mlflow.user"] == run["owner"]
    assert tags["conveyor.profile"] == "small"
    assert metrics["conveyor.cost_usd"] >= 0  # metered by the resources module

    r = requests.get(
        server.url("/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts"),
        headers=server.auth,
        params={"path": f"{info['experiment_id']}/{info['run_id']}/artifacts"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    listed = r.json()
    names = {f["path"] for f in listed.get("files", [])}
    assert {"executed.ipynb", "outputs", "notes"} <= names, listed
    executed = requests.get(
        server.url(
            f"/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/{info['experiment_id']}/{info['run_id']}/artifacts/executed.ipynb"
        ),
        headers=server.auth,
        timeout=60,
    )
    assert executed.status_code == 200
    assert "mlflow.log_metric('acc', 0.9)" in executed.text


def test_a_sweep_child_is_its_own_tracked_run(server: JupyterServer, image: str) -> None:
    root = server.home / "root"
    experiment = f"sweep-{uuid.uuid4().hex[:8]}"
    notebook(
        root / "sweep.ipynb", "import mlflow\nmlflow.log_metric('score', lr * 10)", parameters="lr = 0.0"
    )
    parent = submit(
        server,
        {
            "notebook": {"path": "sweep.ipynb", "image": image},
            "experiment": experiment,
            "sweep": {"grid": {"lr": [0.1, 0.2]}},
            "cache": False,
        },
    )
    assert wait_run(server, parent["id"], timeout=400)["status"] == "succeeded"
    runs = search(server, experiment)
    assert len(runs) == 2, runs
    by_lr = {as_dict(r["data"]["params"])["lr"]: r for r in runs}
    assert set(by_lr) == {"0.1", "0.2"}
    children = set()
    for lr, r in by_lr.items():
        tags = as_dict(r["data"]["tags"])
        assert tags["conveyor.parent_run_id"] == parent["id"]
        children.add(tags["conveyor.run_id"])
        assert {m["key"]: m["value"] for m in r["data"]["metrics"]}["score"] == pytest.approx(float(lr) * 10)
    assert len(children) == 2 and parent["id"] not in children


def test_the_host_mlflow_client_logs_through_jupyter_with_the_token(server: JupyterServer) -> None:
    from mlflow.tracking import MlflowClient

    uri = server.url("/conveyor/mlflow")
    env = {"MLFLOW_TRACKING_URI": uri, "MLFLOW_TRACKING_TOKEN": server.token}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = MlflowClient(uri)
        exp = client.create_experiment(f"host-{uuid.uuid4().hex[:8]}")
        run = client.create_run(exp)
        big = server.home / "big.bin"
        big.write_bytes(os.urandom(1024) * 50 * 1024)  # 50 MiB
        client.log_artifact(run.info.run_id, str(big))
        client.log_metric(run.info.run_id, "m", 1.5)
        files = {f.path: f.file_size for f in client.list_artifacts(run.info.run_id)}
        assert files == {"big.bin": 50 * 1024 * 1024}
        assert client.get_run(run.info.run_id).data.metrics == {"m": 1.5}
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_kernels_started_from_jupyter_get_the_mlflow_env(server: JupyterServer) -> None:
    r = requests.post(server.url("/api/kernels"), headers=server.auth, json={"name": "python3"}, timeout=60)
    assert r.status_code == 201, r.text
    kernel_id = r.json()["id"]
    try:

        def kernel_env() -> dict[str, str] | None:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if kernel_id.encode() not in cmdline:
                        continue
                    raw = Path(f"/proc/{pid}/environ").read_bytes()
                except OSError:
                    continue
                return dict(v.split("=", 1) for v in raw.decode().split("\0") if "=" in v)
            return None

        deadline = time.monotonic() + 30
        env = kernel_env()
        while env is None and time.monotonic() < deadline:
            time.sleep(0.2)
            env = kernel_env()
        assert env is not None, "the kernel process was not found"
        assert env["MLFLOW_TRACKING_URI"] == server.url("/conveyor/mlflow")
        assert env["MLFLOW_TRACKING_TOKEN"] == server.token
    finally:
        requests.delete(server.url(f"/api/kernels/{kernel_id}"), headers=server.auth, timeout=60)


class _App:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(
            {"sock": "", "ip": "127.0.0.1", "port": 8888, "base_url": "/", "certfile": ""}, **kw
        )


def test_the_mlflow_env_leaves_what_the_user_set() -> None:
    assert tracking_uri(_App()) == "http://127.0.0.1:8888/conveyor/mlflow"
    assert (
        tracking_uri(_App(ip="0.0.0.0", base_url="/lab/x/", certfile="c.pem"))
        == "https://127.0.0.1:8888/lab/x/conveyor/mlflow"
    )
    assert tracking_uri(_App(sock="/tmp/s.sock")) is None
    provider = type("P", (), {"token": "t0k"})()
    environ: dict[str, str] = {}
    assert export_mlflow_env(_App(identity_provider=provider), environ) == {
        "MLFLOW_TRACKING_URI": "http://127.0.0.1:8888/conveyor/mlflow",
        "MLFLOW_TRACKING_TOKEN": "t0k",
    }
    mine = {"MLFLOW_TRACKING_URI": "http://mine:5000"}
    assert export_mlflow_env(_App(identity_provider=provider), mine) == {}
    assert mine == {"MLFLOW_TRACKING_URI": "http://mine:5000"}
    no_token: dict[str, str] = {}
    export_mlflow_env(_App(identity_provider=type("P", (), {"token": ""})()), no_token)
    assert "MLFLOW_TRACKING_TOKEN" not in no_token


def test_an_artifact_over_the_companion_limit_is_413_in_mlflow_shape_through_jupyter(
    start_jupyter: Any,
) -> None:
    server = start_jupyter(env={"CONVEYOR_MAX_ARTIFACT_BYTES": str(1024 * 1024)})
    uri = server.url(MLFLOW)
    r = requests.post(f"{uri}/runs/create", headers=server.auth, json={"experiment_id": "0"}, timeout=60)
    assert r.status_code == 200, r.text
    info = r.json()["run"]["info"]
    url = server.url(
        f"/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts/0/{info['run_id']}/artifacts/big.bin"
    )
    big = requests.put(url, headers=server.auth, data=b"x" * (20 * 1024 * 1024), timeout=120)
    assert big.status_code == 413, big.text
    assert big.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    # Declared size or not (chunked upload), the limit holds, and the proxy keeps working.
    chunks = (b"y" * (1024 * 1024) for _ in range(20))
    streamed = requests.put(url, headers=server.auth, data=chunks, timeout=120)
    assert streamed.status_code == 413, streamed.text
    small = requests.put(url, headers=server.auth, data=b"z" * 1000, timeout=60)
    assert small.status_code == 200, small.text
    listed = requests.get(
        server.url("/conveyor/mlflow/api/2.0/mlflow-artifacts/artifacts"),
        headers=server.auth,
        params={"path": f"0/{info['run_id']}/artifacts"},
        timeout=60,
    ).json()
    assert listed["files"] == [{"path": "big.bin", "is_dir": False, "file_size": 1000}]
