"""Seed an MLflow sqlite store with bench/mlflow_client.py's search data, in one transaction.

    python bench/mlflow_seed.py sqlite:////path/mlflow.db --runs 10000 --experiment NAME

Seeding 10,000 runs × 100 values through MLflow's REST API (or its ``SqlAlchemyStore.log_batch``)
takes ~0.18 s per run on this machine, half an hour; so the MLflow side is written with MLflow's
own SQLAlchemy models (``mlflow.store.tracking.dbmodels``): the experiment through
``SqlAlchemyStore.create_experiment``, then every run's row, params, metrics (history and latest
value) and tags exactly as ``create_run`` + ``log_batch`` would store them, in a single commit.
The values come from ``mlflow_client.run_data`` — the same data the Conveyor side gets through
its REST API. Prints one JSON line: ``{"seconds", "ops", "experiment_id"}``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from mlflow.entities import LifecycleStage, RunStatus, SourceType
from mlflow.store.tracking.dbmodels.models import SqlLatestMetric, SqlMetric, SqlParam, SqlRun, SqlTag
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
from mlflow_client import run_data


def seed(db_uri: str, runs: int, name: str) -> dict:
    start = time.perf_counter()
    store = SqlAlchemyStore(db_uri, "mlflow-artifacts:/")
    exp = store.create_experiment(name)
    location = store.get_experiment(exp).artifact_location
    rows: dict[type, list[dict]] = {SqlRun: [], SqlParam: [], SqlMetric: [], SqlLatestMetric: [], SqlTag: []}
    for i in range(runs):
        params, metrics, tags = run_data(i)
        run_uuid = uuid.uuid4().hex
        rows[SqlRun].append(
            dict(
                run_uuid=run_uuid,
                name=f"run-{i:05d}",
                source_type=SourceType.to_string(SourceType.UNKNOWN),
                source_name="",
                entry_point_name="",
                user_id="bench",
                status=RunStatus.to_string(RunStatus.RUNNING),
                start_time=1_700_000_000_000 + i * 1000,
                end_time=None,
                deleted_time=None,
                source_version="",
                lifecycle_stage=LifecycleStage.ACTIVE,
                artifact_uri=f"{location}/{run_uuid}/artifacts",
                experiment_id=int(exp),
            )
        )
        rows[SqlParam] += [dict(key=p.key, value=p.value, run_uuid=run_uuid) for p in params]
        for m in metrics:
            fields = dict(
                key=m.key, value=m.value, timestamp=m.timestamp, step=m.step, is_nan=False, run_uuid=run_uuid
            )
            rows[SqlMetric].append(fields)
            rows[SqlLatestMetric].append(fields)
        rows[SqlTag] += [dict(key=t.key, value=t.value, run_uuid=run_uuid) for t in tags]
    with store.ManagedSessionMaker() as session:  # one transaction, executemany per table
        for model, values in rows.items():
            session.execute(model.__table__.insert(), values)
    return {"seconds": time.perf_counter() - start, "ops": runs, "experiment_id": exp}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("db_uri")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--experiment", required=True)
    args = parser.parse_args()
    print(json.dumps(seed(args.db_uri, args.runs, args.experiment)), flush=True)


if __name__ == "__main__":
    main()
