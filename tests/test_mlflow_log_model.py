"""MLflow 3 logged models with the real ``mlflow`` client (mlflow-skinny 3.17.2) through Jupyter:
``mlflow.pyfunc.log_model`` inside a run, ``register_model`` from ``runs:/<run>/model`` and from
``models:/<model_id>``, ``mlflow.pyfunc.load_model`` of the registered version,
``search_logged_models``, and MLflow's error codes for mistakes. (``log_model`` of any flavor
needs numpy and pandas next to mlflow-skinny: ``mlflow/models/utils.py`` imports them.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pytest
import requests
from mlflow.entities import LoggedModelStatus
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from servers import JupyterServer


class Doubler(mlflow.pyfunc.PythonModel):
    """A model that needs nothing but mlflow-skinny and cloudpickle to save and load."""

    def predict(self, context, model_input, params=None):  # noqa: ANN001, ANN201
        return [2 * x for x in model_input]


@pytest.fixture(scope="module")
def client(jupyter: JupyterServer) -> Iterator[MlflowClient]:
    uri = jupyter.url("/conveyor/mlflow")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.setenv("MLFLOW_TRACKING_TOKEN", jupyter.token)
        # A client mistake must be answered at once: retries would only hide a 5xx.
        mp.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mlflow.set_tracking_uri(uri)
        yield MlflowClient(uri)
        mlflow.set_tracking_uri(None)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def log_doubler(experiment: str, **kwargs: object) -> tuple[str, mlflow.models.model.ModelInfo]:
    mlflow.set_experiment(experiment)
    with mlflow.start_run() as run:
        mlflow.log_param("factor", "2")
        mlflow.log_metric("mae", 0.0)
        # Explicit requirements: inferring them would load the model in a subprocess (slow, not ours).
        info = mlflow.pyfunc.log_model(
            name="model", python_model=Doubler(), pip_requirements=["mlflow-skinny"], **kwargs
        )
    return run.info.run_id, info


def test_log_model_register_from_the_run_and_load_it_back(client: MlflowClient, tmp_path: Path) -> None:
    experiment = unique("doubler")
    run_id, info = log_doubler(experiment)
    assert info.model_id.startswith("m-")
    assert info.run_id == run_id

    logged = client.get_logged_model(info.model_id)
    assert (logged.name, logged.source_run_id) == ("model", run_id)
    assert (
        logged.artifact_location
        == f"mlflow-artifacts:/{logged.experiment_id}/models/{info.model_id}/artifacts"
    )
    assert logged.params == {"factor": "2"}
    assert logged.status == LoggedModelStatus.READY
    # The run knows the model it produced.
    assert [o.model_id for o in client.get_run(run_id).outputs.model_outputs] == [info.model_id]

    version = mlflow.register_model(f"runs:/{run_id}/model", "doubler")
    assert (version.name, version.version, version.run_id, version.source) == (
        "doubler",
        "1",
        run_id,
        f"models:/{info.model_id}",
    )
    assert client.get_model_version_download_uri("doubler", "1") == logged.artifact_location
    assert json.loads(client.get_logged_model(info.model_id).tags["mlflow.modelVersions"]) == [
        {"name": "doubler", "version": "1"}
    ]

    assert mlflow.pyfunc.load_model("models:/doubler/1").predict([1, 2, 3]) == [2, 4, 6]
    assert mlflow.pyfunc.load_model(f"models:/{info.model_id}").predict([4]) == [8]
    files = Path(
        mlflow.artifacts.download_artifacts(f"models:/{info.model_id}", dst_path=str(tmp_path / "dl"))
    )
    assert "python_function" in (files / "MLmodel").read_text()
    assert (files / "python_model.pkl").stat().st_size > 0

    # Registering straight from the logged model gives the next version with the same source run.
    again = mlflow.register_model(f"models:/{info.model_id}", "doubler")
    assert (again.version, again.run_id) == ("2", run_id)
    assert mlflow.pyfunc.load_model("models:/doubler/2").predict([5]) == [10]


def test_log_model_with_registered_model_name_and_search(client: MlflowClient) -> None:
    experiment = unique("search")
    run_a, first = log_doubler(experiment, registered_model_name="searched")
    _, second = log_doubler(experiment)
    exp_id = mlflow.get_experiment_by_name(experiment).experiment_id
    assert str(first.registered_model_version) == "1"

    found = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    assert [m.model_id for m in found] == [second.model_id, first.model_id]
    by_run = client.search_logged_models([exp_id], filter_string=f"source_run_id = '{run_a}'")
    assert [m.model_id for m in by_run] == [first.model_id]
    page = client.search_logged_models([exp_id], max_results=1)
    assert len(page) == 1 and page.token
    rest = client.search_logged_models([exp_id], max_results=1, page_token=page.token)
    assert [m.model_id for m in rest] == [first.model_id] and not rest.token

    client.set_logged_model_tags(second.model_id, {"stage": "candidate"})
    tagged = client.search_logged_models([exp_id], filter_string="tags.stage = 'candidate'")
    assert [m.model_id for m in tagged] == [second.model_id]
    client.delete_logged_model_tag(second.model_id, "stage")
    assert client.get_logged_model(second.model_id).tags.get("stage") is None

    client.delete_logged_model(second.model_id)
    assert [m.model_id for m in client.search_logged_models([exp_id])] == [first.model_id]
    with pytest.raises(MlflowException) as info:
        client.get_logged_model(second.model_id)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_logged_model_mistakes_get_mlflow_error_codes(client: MlflowClient, jupyter: JupyterServer) -> None:
    experiment = unique("mistakes")
    _, info = log_doubler(experiment)
    exp_id = mlflow.get_experiment_by_name(experiment).experiment_id
    cases = [
        (lambda: client.get_logged_model("m-" + "0" * 32), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: client.get_logged_model("not-a-model"), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: client.create_logged_model("999999999"), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: client.create_logged_model(exp_id, source_run_id="f" * 32), "RESOURCE_DOES_NOT_EXIST"),
        (lambda: client.search_logged_models([exp_id], filter_string="name = "), "INVALID_PARAMETER_VALUE"),
        (
            lambda: client.search_logged_models([exp_id], filter_string="colour = 'red'"),
            "INVALID_PARAMETER_VALUE",
        ),
        (lambda: client.search_logged_models([exp_id], page_token="garbage"), "INVALID_PARAMETER_VALUE"),
        (lambda: client.log_model_params(info.model_id, {"factor": "3"}), "INVALID_PARAMETER_VALUE"),
        (lambda: mlflow.register_model(f"models:/m-{'1' * 32}", "mistakes"), "RESOURCE_DOES_NOT_EXIST"),
    ]
    for call, code in cases:
        with pytest.raises(MlflowException) as caught:
            call()
        assert caught.value.error_code == code, caught.value
    # A status that is not one of MLflow's, sent as the client would send it.
    r = requests.patch(
        jupyter.url(f"/conveyor/mlflow/api/2.0/mlflow/logged-models/{info.model_id}"),
        json={"model_id": info.model_id, "status": "SHINY"},
        headers={"Authorization": f"Bearer {jupyter.token}"},
        timeout=30,
    )
    assert (r.status_code, r.json()["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    # A failed upload is recorded as such, and nothing else changed.
    failed = client.finalize_logged_model(info.model_id, LoggedModelStatus.FAILED)
    assert failed.status == LoggedModelStatus.FAILED
    assert client.get_logged_model(info.model_id).params == {"factor": "2"}
