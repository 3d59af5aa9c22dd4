"""The unmodified ``mlflow`` client (mlflow-skinny 3.17.2) against Conveyor, through a real Jupyter.

``MLFLOW_TRACKING_URI=<jupyter url>/conveyor/mlflow`` and ``MLFLOW_TRACKING_TOKEN=<jupyter token>``:
the client sends ``Authorization: Bearer <token>``, Jupyter authenticates it and its proxy passes the
request to the companion's MLflow REST API.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException, RestException
from servers import JupyterServer, wait_until


@pytest.fixture(scope="module")
def tracking(jupyter: JupyterServer) -> Iterator[str]:
    uri = jupyter.url("/conveyor/mlflow")
    patch = pytest.MonkeyPatch()
    patch.setenv("MLFLOW_TRACKING_URI", uri)
    patch.setenv("MLFLOW_TRACKING_TOKEN", jupyter.token)
    patch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    patch.setenv("DO_NOT_TRACK", "true")
    mlflow.set_tracking_uri(uri)
    yield uri
    mlflow.set_tracking_uri("")
    patch.undo()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def answers(jupyter: JupyterServer, path: str, status: int) -> int:
    """How many requests for ``path`` the companion answered with ``status`` (its request log)."""
    return sum(1 for line in jupyter.companion_lines() if path in line and f'"status":{status}' in line)


def test_log_params_metrics_tags_and_read_them_back(tracking: str) -> None:
    exp = mlflow.set_experiment(unique("client"))
    with mlflow.start_run(run_name="first") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"layers": 3, "opt": "adam"})
        for step, loss in enumerate([0.9, 0.5, 0.3]):
            mlflow.log_metric("loss", loss, step=step)
        mlflow.log_metrics({"acc": 0.8, "f1": 0.7}, step=2)
        mlflow.set_tag("stage", "dev")
        mlflow.log_metric("weird", float("nan"))
    got = MlflowClient().get_run(run.info.run_id)
    assert got.info.experiment_id == exp.experiment_id
    assert got.info.run_name == "first"
    assert got.info.status == "FINISHED"
    assert got.data.params == {"lr": "0.01", "layers": "3", "opt": "adam"}
    assert got.data.metrics["loss"] == 0.3
    assert got.data.metrics["acc"] == 0.8
    assert math.isnan(got.data.metrics["weird"])
    assert got.data.tags["stage"] == "dev"
    history = MlflowClient().get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 0.9), (1, 0.5), (2, 0.3)]


def test_log_batch_and_search_runs_with_filters_order_and_pages(tracking: str) -> None:
    exp = mlflow.set_experiment(unique("search"))
    client = MlflowClient()
    for i in range(6):
        with mlflow.start_run(run_name=f"r{i}") as run:
            client.log_batch(
                run.info.run_id,
                metrics=[Metric("acc", i / 10, 0, 0)],
                params=[Param("opt", "sgd" if i % 2 == 0 else "adam")],
                tags=[RunTag("note", f"trial {i}")],
            )
    found = client.search_runs(
        [exp.experiment_id],
        filter_string="metrics.acc > 0.1 and params.opt = 'sgd'",
        order_by=["metrics.acc DESC"],
    )
    assert [r.info.run_name for r in found] == ["r4", "r2"]
    liked = client.search_runs([exp.experiment_id], filter_string="tags.note LIKE 'trial%'")
    assert len(liked) == 6
    page = client.search_runs([exp.experiment_id], max_results=4, order_by=["attributes.run_name ASC"])
    assert [r.info.run_name for r in page] == ["r0", "r1", "r2", "r3"]
    assert page.token
    rest = client.search_runs(
        [exp.experiment_id], max_results=4, order_by=["attributes.run_name ASC"], page_token=page.token
    )
    assert [r.info.run_name for r in rest] == ["r4", "r5"]
    assert not rest.token


def test_log_artifact_and_download_artifacts(tracking: str, tmp_path: Path) -> None:
    mlflow.set_experiment(unique("artifacts"))
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "MLmodel").write_text("flavor: test\n")
    (model / "sub" / "weights.bin").write_bytes(bytes(range(256)) * 100)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello conveyor")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(notes))
        mlflow.log_artifacts(str(model), artifact_path="model")
    client = MlflowClient()
    top = client.list_artifacts(run.info.run_id)
    assert [(f.path, f.is_dir) for f in top] == [("model", True), ("notes.txt", False)]
    assert [f.path for f in client.list_artifacts(run.info.run_id, "model")] == ["model/MLmodel", "model/sub"]
    out = Path(mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path / "down")))
    assert (out / "notes.txt").read_text() == "hello conveyor"
    assert (out / "model" / "sub" / "weights.bin").read_bytes() == bytes(range(256)) * 100
    one = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="model/MLmodel", dst_path=str(tmp_path / "one")
    )
    assert Path(one).read_text() == "flavor: test\n"


def test_client_mistakes_raise_mlflow_errors_without_retries(tracking: str, jupyter: JupyterServer) -> None:
    mlflow.set_experiment(unique("errors"))
    client = MlflowClient()
    with mlflow.start_run() as run:
        mlflow.log_param("lr", "0.1")
        with pytest.raises(MlflowException) as overwrite:
            mlflow.log_param("lr", "0.2")
        assert overwrite.value.error_code == "INVALID_PARAMETER_VALUE"
        with pytest.raises(MlflowException) as bad_filter:
            client.search_runs([run.info.experiment_id], filter_string="metrics.acc >> 1")
        assert bad_filter.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as missing:
        client.get_run("0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(RestException) as exists:
        client.create_experiment(mlflow.get_experiment(run.info.experiment_id).name)
    assert exists.value.error_code == "RESOURCE_ALREADY_EXISTS"
    # An oversized batch sent raw (the client itself splits large batches).
    body = {
        "run_id": run.info.run_id,
        "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": i} for i in range(1001)],
    }
    r = requests.post(
        f"{tracking}/api/2.0/mlflow/runs/log-batch",
        json=body,
        headers={"Authorization": f"Bearer {jupyter.token}"},
        timeout=60,
    )
    assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE", r.text
    assert "m" not in client.get_run(run.info.run_id).data.metrics


def test_a_client_mistake_is_one_request_not_a_retry_storm(tracking: str, jupyter: JupyterServer) -> None:
    exp = mlflow.set_experiment(unique("once"))
    before = answers(jupyter, "/runs/search", 400)
    with pytest.raises(MlflowException) as err:
        MlflowClient().search_runs([exp.experiment_id], filter_string="params.p = 'x' and oops")
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"
    # The client retries 429 and 5xx with backoff; a 400 is answered once and raised at once.
    wait_until(lambda: answers(jupyter, "/runs/search", 400) > before, 10, "the companion's request log")
    assert answers(jupyter, "/runs/search", 400) == before + 1
