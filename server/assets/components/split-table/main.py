"""split-table: seeded train/test split."""
import hashlib

from sklearn.model_selection import train_test_split

from conveyor_component import fail, params, read_table, tracking, write_json

p = params({"test_size": 0.2, "seed": 42, "stratify": "", "blind_test": False})
df = read_table("data")
if len(df) < 2:
    fail(f"cannot split {len(df)} rows")
strat = None
if p["stratify"]:
    if p["stratify"] not in df.columns:
        fail(f"stratify column {p['stratify']} is not in the table (columns: {', '.join(map(str, df.columns))})")
    strat = df[p["stratify"]]
train, test = train_test_split(df, test_size=p["test_size"], random_state=p["seed"], stratify=strat)
train.to_csv("train.csv", index=False)
test.to_csv("test.csv", index=False)
digest = hashlib.sha256(",".join(map(str, sorted(test.index.tolist()))).encode()).hexdigest()
write_json("split.json", {"train_rows": len(train), "test_rows": len(test), "seed": p["seed"], "test_index_sha256": digest, "blinded": bool(p["blind_test"])})
mlflow = tracking()
if mlflow:
    with mlflow.start_run():
        mlflow.log_params({"test_size": p["test_size"], "split_seed": p["seed"]})
print(f"split {len(df)} rows: {len(train)} train, {len(test)} test (seed {p['seed']})")
