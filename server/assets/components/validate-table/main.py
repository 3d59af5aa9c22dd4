"""validate-table: schema, statistics and drift of a table."""
import json

from pathlib import Path

from conveyor_component import fail, input_path, params, read_path, read_table, tracking, write_json

p = params({"path": "", "required_columns": [], "min_rows": 1, "max_missing": 1.0, "ignore_columns": [], "max_drift": 0.5})
if p["path"]:
    if not Path(p["path"]).is_file():
        fail(f"path {p['path']} is not a file of the step: list it in the step's files")
    df = read_path(Path(p["path"]))
else:
    df = read_table("data")
problems = []
missing = [c for c in p["required_columns"] if c not in df.columns]
if missing:
    problems.append(f"required columns missing: {', '.join(missing)}")
if len(df) < p["min_rows"]:
    problems.append(f"{len(df)} rows, fewer than min_rows={p['min_rows']}")

stats = {"rows": int(len(df)), "schema": {c: str(t) for c, t in df.dtypes.items()}, "columns": {}}
for col in df.columns:
    s = df[col]
    entry = {"missing": float(s.isna().mean())}
    if entry["missing"] > p["max_missing"]:
        problems.append(f"column {col}: {entry['missing']:.1%} missing, more than max_missing={p['max_missing']}")
    if s.dtype.kind in "biuf":
        entry.update(mean=float(s.mean()), std=float(s.std(ddof=0)), min=float(s.min()), max=float(s.max()))
    else:
        shares = s.astype(str).value_counts(normalize=True).head(50)
        entry["shares"] = {str(k): float(v) for k, v in shares.items()}
    stats["columns"][col] = entry

drift = {}
ref_path = input_path("reference", required=False)
if ref_path is not None:
    if ref_path.is_dir():  # a dataset version (dataset://…) holding the stats.json
        found = sorted(ref_path.rglob("*.json"))
        if not found:
            fail("the reference input is a folder without a stats.json")
        ref_path = found[0]
    ref = json.loads(ref_path.read_text(encoding="utf-8"))
    ignored = set(p["ignore_columns"])
    for col, dtype in ref.get("schema", {}).items():
        if col in ignored:
            continue
        if col not in stats["schema"]:
            problems.append(f"column {col} of the reference is gone")
        elif stats["schema"][col] != dtype:
            problems.append(f"column {col} changed type: {dtype} → {stats['schema'][col]}")
    for col, r in ref.get("columns", {}).items():
        cur = stats["columns"].get(col)
        if not cur or col in ignored:
            continue
        if "mean" in r and "mean" in cur:
            drift[col] = abs(cur["mean"] - r["mean"]) / (r["std"] or 1.0)
        elif "shares" in r and "shares" in cur:
            keys = set(r["shares"]) | set(cur["shares"])
            drift[col] = max(abs(cur["shares"].get(k, 0.0) - r["shares"].get(k, 0.0)) for k in keys)
    for col, d in sorted(drift.items()):
        if d > p["max_drift"]:
            problems.append(f"column {col} drifted by {d:.3f}, beyond max_drift={p['max_drift']}")
stats["drift"] = drift

write_json("stats.json", stats)
df.to_csv("table.csv", index=False)
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_metrics({"rows": len(df), "columns": len(df.columns), "max_drift": max(drift.values(), default=0.0)})
print(f"validated {len(df)} rows × {len(df.columns)} columns; drift: {json.dumps(drift)}")
if problems:
    fail("; ".join(problems))
