"""register-model: save a model in MLflow's format, log it to the step's run and register it."""
import json
import os
import shutil

import joblib

from conveyor_component import fail, input_path, params, tracking, write_json

p = params({"model_name": "model", "gate_metric": "", "gate_min": 0})
model = joblib.load(input_path("model"))
metrics_path = input_path("metrics", required=False)
metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path else {}
if p["gate_metric"]:
    if p["gate_metric"] not in metrics:
        fail(f"gate metric {p['gate_metric']} is not in the metrics input (metrics: {', '.join(metrics) or 'none'})")
    if metrics[p["gate_metric"]] < p["gate_min"]:
        fail(f"not registered: {p['gate_metric']}={metrics[p['gate_metric']]:.4f} is below gate_min={p['gate_min']}")
mlflow = tracking()
if not mlflow:
    fail("registering needs the tracking server (MLFLOW_TRACKING_URI): run this step in a Conveyor pipeline")
import mlflow.sklearn  # noqa: E402

shutil.rmtree("mlflow-model", ignore_errors=True)
mlflow.sklearn.save_model(
    model, "mlflow-model", serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE, pip_requirements=["scikit-learn", "pandas", "cloudpickle"]
)
with mlflow.start_run() as run:
    mlflow.log_artifacts("mlflow-model", artifact_path="model")
    if metrics:
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))})
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", p["model_name"])
out = {"name": version.name, "version": int(version.version), "source": version.source, "run_id": run.info.run_id}
write_json("registered.json", out)
print(f"registered {out['name']} version {out['version']} from run {out['run_id']} (experiment {os.environ.get('MLFLOW_EXPERIMENT_ID')})")
