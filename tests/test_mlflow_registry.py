"""The model registry with the real ``mlflow`` client (mlflow-skinny 3.17.2) through Jupyter's proxy:
``mlflow.register_model`` on a run's logged model directory, aliases, searches, downloads and
MLflow's error codes; Conveyor's own ``/models`` API shows the versions with their run's metrics."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.exceptions import MlflowException, RestException
from mlflow.tracking import MlflowClient
from servers import JupyterServer

MODELS = "/conveyor/api/v1/models"
MLMODEL = (
    "artifact_path: model\nflavors:\n  python_function:\n    loader_module: churn_model\n"
    "mlflow_version: 3.17.2\n"
)


@pytest.fixture(scope="module")
def client(jupyter: JupyterServer) -> Iterator[MlflowClient]:
    uri = jupyter.url("/conveyor/mlflow")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.setenv("MLFLOW_TRACKING_TOKEN", jupyter.token)
        # A client mistake must be answered at once: retries would only hide a 5xx.
        mp.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        mlflow.set_tracking_uri(uri)
        yield MlflowClient(uri)
        mlflow.set_tracking_uri(None)


def log_model_run(tmp: Path, auc: float) -> str:
    """A run with a model directory logged by ``mlflow.log_artifacts`` under ``model/``."""
    model = tmp / f"model-{uuid.uuid4().hex[:6]}"
    model.mkdir()
    (model / "MLmodel").write_text(MLMODEL)
    (model / "weights.bin").write_bytes(bytes(range(256)) * 64)
    mlflow.set_experiment("churn-training")
    with mlflow.start_run() as run:
        mlflow.log_metric("auc", auc)
        mlflow.log_param("depth", "6")
        mlflow.log_artifacts(str(model), artifact_path="model")
    return run.info.run_id


def error_code(info: pytest.ExceptionInfo[MlflowException]) -> str:
    return info.value.error_code


def test_register_alias_search_and_download_with_the_real_client(
    client: MlflowClient, jupyter: JupyterServer, tmp_path: Path
) -> None:
    first = log_model_run(tmp_path, 0.81)
    second = log_model_run(tmp_path, 0.87)
    v1 = mlflow.register_model(f"runs:/{first}/model", "churn")
    v2 = mlflow.register_model(f"runs:/{second}/model", "churn")
    assert (v1.name, v1.version, v1.run_id, v1.status) == ("churn", "1", first, "READY")
    assert (v2.version, v2.run_id) == ("2", second)
    assert v2.source.endswith(f"/{second}/artifacts/model")

    client.set_registered_model_alias("churn", "champion", "1")
    client.set_registered_model_alias("churn", "candidate", "2")
    champion = client.get_model_version_by_alias("churn", "champion")
    assert (champion.version, champion.run_id, champion.aliases) == ("1", first, ["champion"])
    assert client.get_registered_model("churn").aliases == {"champion": "1", "candidate": "2"}

    found = client.search_model_versions("name='churn'")
    assert sorted(v.version for v in found) == ["1", "2"]
    assert [v.version for v in client.search_model_versions(f"run_id='{second}'")] == ["2"]
    assert [m.name for m in client.search_registered_models("name LIKE 'chu%'")] == ["churn"]

    out = Path(mlflow.artifacts.download_artifacts("models:/churn@champion", dst_path=str(tmp_path / "dl")))
    assert (out / "MLmodel").read_text() == MLMODEL
    assert (out / "weights.bin").read_bytes() == bytes(range(256)) * 64
    assert client.get_model_version_download_uri("churn", "2").endswith(f"/{second}/artifacts/model")

    client.set_model_version_tag("churn", "2", "validated", "yes")
    client.update_model_version("churn", "2", description="deeper trees")
    got = client.get_model_version("churn", "2")
    assert (got.tags, got.description) == ({"validated": "yes"}, "deeper trees")

    # Conveyor's own API: versions newest first with their aliases and their run's metrics.
    r = requests.get(jupyter.url(f"{MODELS}/churn"), headers=jupyter.auth, timeout=30)
    assert r.status_code == 200, r.text
    detail = r.json()
    assert detail["model"]["aliases"] == {"champion": 1, "candidate": 2}
    assert [(v["version"], v["aliases"], v["runId"], v["metrics"]["auc"]) for v in detail["versions"]] == [
        (2, ["candidate"], second, 0.87),
        (1, ["champion"], first, 0.81),
    ]
    listed = requests.get(jupyter.url(MODELS), headers=jupyter.auth, timeout=30).json()["models"]
    assert [(m["name"], m["versionCount"], m["latestVersion"]) for m in listed] == [("churn", 2, 2)]


def test_mistakes_get_mlflow_error_codes_at_once(client: MlflowClient, tmp_path: Path) -> None:
    run_id = log_model_run(tmp_path, 0.5)
    mlflow.register_model(f"runs:/{run_id}/model", "errors")
    with pytest.raises(MlflowException) as info:
        client.get_registered_model("no-such-model")
    assert error_code(info) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(RestException) as info:
        client.create_registered_model("errors")
    assert error_code(info) == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(MlflowException) as info:
        client.set_registered_model_alias("errors", "champion", "99")
    assert error_code(info) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as info:
        client.set_registered_model_alias("errors", "latest", "1")
    assert error_code(info) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as info:
        client.get_model_version_by_alias("errors", "nobody")
    assert error_code(info) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as info:
        client.search_model_versions("name = 'errors' AND")
    assert error_code(info) == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as info:
        client.create_model_version("errors", f"runs:/{'0' * 32}/model", run_id="0" * 32)
    assert error_code(info) == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as info:
        client.create_model_version("errors", "/etc/passwd")
    assert error_code(info) == "INVALID_PARAMETER_VALUE"
    # A directory without an MLmodel file is no model (MLflow 3 then looks for a logged model; there is none).
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "weights.bin").write_bytes(b"w")
    with mlflow.start_run() as bare:
        mlflow.log_artifacts(str(plain), artifact_path="model")
    with pytest.raises(MlflowException, match="Unable to find a logged_model"):
        mlflow.register_model(f"runs:/{bare.info.run_id}/model", "errors")
    # Nothing half-written: still one version, and a deleted version's number is not reused.
    assert [v.version for v in client.search_model_versions("name='errors'")] == ["1"]
    client.delete_model_version("errors", "1")
    assert mlflow.register_model(f"runs:/{run_id}/model", "errors").version == "2"
