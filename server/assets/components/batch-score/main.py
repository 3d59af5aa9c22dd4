"""batch-score: predictions of a model for every row of a table."""
import joblib

from conveyor_component import fail, input_path, params, read_table, tracking

p = params({"model_uri": "", "prediction_column": "prediction", "probabilities": False})
if p["model_uri"]:
    mlflow = tracking()
    if not mlflow:
        fail("model_uri needs the tracking server (MLFLOW_TRACKING_URI): run this step in a Conveyor pipeline")
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(p["model_uri"])
else:
    path = input_path("model", required=False)
    if path is None:
        fail("give the model input or the model_uri parameter")
    model = joblib.load(path)
info = getattr(model, "conveyor_", {}) or {}
df = read_table("data")
X = df.drop(columns=[info["target"]]) if info.get("target") in df.columns else df
out = df.copy()
out[p["prediction_column"]] = model.predict(X)
if p["probabilities"] and hasattr(model, "predict_proba"):
    for i, cls in enumerate(model.classes_):
        out[f"proba_{cls}"] = model.predict_proba(X)[:, i]
out.to_csv("predictions.csv", index=False)
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_metric("scored_rows", len(out))
        if p["model_uri"]:
            mlflow.set_tag("conveyor.model_uri", p["model_uri"])
print(f"scored {len(out)} rows into predictions.csv")
