"""Helpers shared by Conveyor's built-in components: parameters, inputs, tables and MLflow."""
import json
import os
import sys
from pathlib import Path

import yaml

PARAMS_FILE = Path(".conveyor/params.yaml")
TABLE_SUFFIXES = (".parquet", ".csv", ".tsv", ".jsonl", ".json")


def params(defaults):
    """The step's parameters (.conveyor/params.yaml) over the component's defaults."""
    given = {}
    if PARAMS_FILE.is_file():
        given = yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8")) or {}
    return {**defaults, **given}


def fail(message):
    """Stops the step with a message the run shows (exit code 1)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def input_path(name, required=True):
    path = Path("inputs") / name
    if not path.exists():
        if required:
            fail(f"input '{name}' is missing (inputs/{name}): connect it in the pipeline")
        return None
    return path


def _read_one(path):
    import pandas as pd

    with open(path, "rb") as f:
        head = f.read(4)
    suffix = path.suffix.lower()
    if head == b"PAR1" or suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix == ".tsv":
        return pd.read_csv(path, sep="\t")
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    if suffix == ".json":
        return pd.read_json(path)
    return pd.read_csv(path)


def read_path(path):
    return _read_one(path)


def read_table(name):
    """A table input: one file (CSV, Parquet, TSV, JSON lines), or a folder (a dataset) of them, concatenated in path order."""
    import pandas as pd

    path = input_path(name)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES)
        if not files:
            fail(f"input '{name}' is a folder without table files ({', '.join(TABLE_SUFFIXES)})")
        return pd.concat([_read_one(p) for p in files], ignore_index=True)
    return _read_one(path)


def write_json(path, obj):
    Path(path).write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def tracking():
    """The mlflow module when the step is tracked (MLFLOW_TRACKING_URI and MLFLOW_RUN_ID set), else None."""
    if not (os.environ.get("MLFLOW_TRACKING_URI") and os.environ.get("MLFLOW_RUN_ID")):
        print("note: no MLFLOW_TRACKING_URI: nothing is tracked", flush=True)
        return None
    import mlflow

    return mlflow
