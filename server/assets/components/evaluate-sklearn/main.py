"""evaluate-sklearn: metrics of a model on a test table, logged to MLflow."""
import joblib
import numpy as np
from sklearn import metrics as m

from conveyor_component import fail, input_path, params, read_table, tracking, write_json

params({})
model = joblib.load(input_path("model"))
info = getattr(model, "conveyor_", None)
if not info:
    fail("the model was not saved by train-sklearn (no target/task recorded)")
df = read_table("test")
if info["target"] not in df.columns:
    fail(f"the test table has no target column {info['target']}")
X, y = df.drop(columns=[info["target"]]), df[info["target"]]
pred = model.predict(X)
if info["task"] == "classification":
    out = {"accuracy": m.accuracy_score(y, pred), "f1": m.f1_score(y, pred, average="macro")}
    if len(getattr(model, "classes_", [])) == 2:
        out["roc_auc"] = m.roc_auc_score(y, model.predict_proba(X)[:, 1])
else:
    out = {"rmse": float(np.sqrt(m.mean_squared_error(y, pred))), "mae": m.mean_absolute_error(y, pred), "r2": m.r2_score(y, pred)}
out = {k: float(v) for k, v in out.items()}
out["test_rows"] = int(len(df))
write_json("metrics.json", out)
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_metrics(out)
print("metrics: " + ", ".join(f"{k}={v:.4f}" for k, v in out.items()))
