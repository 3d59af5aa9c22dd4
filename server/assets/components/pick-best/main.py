"""pick-best: the best candidate model by one metric."""
import json
import shutil

from conveyor_component import fail, input_path, params, tracking, write_json

p = params({"metric": "accuracy", "mode": "max"})
scores = {}
for i in range(1, 5):
    model, metrics = input_path(f"model_{i}", required=(i == 1)), input_path(f"metrics_{i}", required=(i == 1))
    if model is None or metrics is None:
        continue
    values = json.loads(metrics.read_text(encoding="utf-8"))
    if p["metric"] not in values:
        fail(f"candidate {i} has no metric {p['metric']} (metrics: {', '.join(values)})")
    scores[i] = (values[p["metric"]], values, model)
best = (max if p["mode"] == "max" else min)(scores, key=lambda i: scores[i][0])
shutil.copyfile(scores[best][2], "model.pkl")
write_json("metrics.json", {**scores[best][1], "candidate": best, "candidates": {str(i): s[0] for i, s in scores.items()}})
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_metrics({f"best_{p['metric']}": scores[best][0], "best_candidate": best})
print(f"best: candidate {best} with {p['metric']}={scores[best][0]:.4f} of {len(scores)}")
