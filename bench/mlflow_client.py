"""The client half of bench/mlflow_tracking.py: ONE script, run unchanged against MLflow and Conveyor.

    MLFLOW_TRACKING_URI=... [MLFLOW_TRACKING_TOKEN=...] python bench/mlflow_client.py <phase> [options]

Only the environment differs between the two servers. Phases (each prints one JSON line last):

- ``log_metric --count N``: one run, N synchronous ``mlflow.log_metric`` calls (one request each).
- ``log_batch --count N --size S``: one run, N ``MlflowClient.log_batch`` calls of S metrics each
  (50 keys × S/50 steps per batch).
- ``seed --runs R --experiment NAME``: R runs of R × 50 params × 50 metrics (+ 2 tags), from a fixed
  random seed, so both servers hold the same data: per run one ``create_run`` and one ``log_batch``
  (50 params + 50 metrics + tags), from ``--threads`` client threads.
- ``search --experiment NAME --repeat K``: the timed ``MlflowClient.search_runs`` queries (filter +
  order_by, pages of 100 and 1000); per query also the raw HTTP time of the same REST call
  (``requests`` POST, no client parsing), to split server time from client time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import mlflow
import requests
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag

PARAMS, METRICS = 50, 50
CHOICES = ["adam", "sgd", "rmsprop", "adagrad"]
# (label, filter, order_by, max_results): the timed search queries.
QUERIES = [
    ("filter+order, top 100", "metrics.m00 > 0.5 and params.p00 = 'adam'", ["metrics.m01 DESC"], 100),
    ("filter+order, page of 1000", "metrics.m00 > 0.5 and params.p00 = 'adam'", ["metrics.m01 DESC"], 1000),
    (
        "2 metric filters + tag, top 100",
        "metrics.m02 < 0.3 and metrics.m03 > 0.6 and tags.team = 'vision'",
        ["metrics.m04 ASC", "params.p01 DESC"],
        100,
    ),
]


def emit(result: dict) -> None:
    print(json.dumps(result), flush=True)


def experiment_id(client: MlflowClient, name: str) -> str:
    found = client.get_experiment_by_name(name)
    return found.experiment_id if found else client.create_experiment(name)


def phase_log_metric(count: int, name: str) -> dict:
    mlflow.set_experiment(name)
    with mlflow.start_run() as run:
        start = time.perf_counter()
        for i in range(count):
            mlflow.log_metric("loss", 1.0 / (i + 1), step=i, synchronous=True)
        elapsed = time.perf_counter() - start
    history = MlflowClient().get_metric_history(run.info.run_id, "loss")
    assert len(history) == count, f"expected {count} points, the server holds {len(history)}"
    return {"seconds": elapsed, "ops": count, "points": count}


def phase_log_batch(count: int, size: int, name: str) -> dict:
    client = MlflowClient()
    run = client.create_run(experiment_id(client, name))
    run_id = run.info.run_id
    keys = [f"k{j:02d}" for j in range(50)]
    steps = size // len(keys)
    now = int(time.time() * 1000)
    batches = [
        [Metric(key, random.random(), now + b, b * steps + s) for s in range(steps) for key in keys]
        for b in range(count)
    ]
    start = time.perf_counter()
    for batch in batches:
        client.log_batch(run_id, metrics=batch, synchronous=True)
    elapsed = time.perf_counter() - start
    history = client.get_metric_history(run_id, keys[0])
    assert len(history) == count * steps, f"expected {count * steps} points of {keys[0]}, got {len(history)}"
    return {"seconds": elapsed, "ops": count, "points": count * steps * len(keys)}


def run_data(i: int) -> tuple[list[Param], list[Metric], list[RunTag]]:
    """Run ``i``'s params, metrics and tags — the same on both servers."""
    rng = random.Random(1000 + i)
    params = [Param("p00", rng.choice(CHOICES))] + [
        Param(f"p{j:02d}", str(rng.randint(0, 99) if j % 2 else round(rng.random(), 4)))
        for j in range(1, PARAMS)
    ]
    now = 1_700_000_000_000 + i * 1000
    metrics = [Metric(f"m{j:02d}", rng.random(), now, 0) for j in range(METRICS)]
    tags = [
        RunTag("team", rng.choice(["vision", "nlp", "tabular"])),
        RunTag("mlflow.runName", f"run-{i:05d}"),
    ]
    return params, metrics, tags


def phase_seed(runs: int, name: str, threads: int) -> dict:
    client = MlflowClient()
    exp = experiment_id(client, name)
    done = [0]
    lock = threading.Lock()

    def one(i: int) -> None:
        params, metrics, tags = run_data(i)
        run = client.create_run(exp, start_time=1_700_000_000_000 + i * 1000, run_name=f"run-{i:05d}")
        client.log_batch(run.info.run_id, metrics=metrics, params=params, tags=tags[:1], synchronous=True)
        with lock:
            done[0] += 1
            if done[0] % 1000 == 0:
                print(f"  seeded {done[0]}/{runs}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(runs)))
    return {"seconds": time.perf_counter() - start, "ops": runs, "experiment_id": exp}


def raw_search(exp: str, flt: str, order: list[str], limit: int) -> tuple[float, int, int]:
    """The same REST call the client makes, without the client: (seconds, bytes, runs)."""
    uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {
        "experiment_ids": [exp],
        "filter": flt,
        "order_by": order,
        "max_results": limit,
        "run_view_type": 1,
    }
    start = time.perf_counter()
    answer = requests.post(f"{uri}/api/2.0/mlflow/runs/search", json=body, headers=headers, timeout=600)
    elapsed = time.perf_counter() - start
    answer.raise_for_status()
    return elapsed, len(answer.content), len(answer.json().get("runs", []))


def phase_search(name: str, repeat: int) -> dict:
    client = MlflowClient()
    exp = client.get_experiment_by_name(name).experiment_id
    out = []
    for label, flt, order, limit in QUERIES:
        client.search_runs([exp], flt, order_by=order, max_results=limit)  # warm-up, not timed
        times, raws, first = [], [], None
        for _ in range(repeat):
            start = time.perf_counter()
            found = client.search_runs([exp], flt, order_by=order, max_results=limit)
            times.append(time.perf_counter() - start)
            raw, size, count = raw_search(exp, flt, order, limit)
            raws.append(raw)
            first = first or [r.info.run_name for r in found[:5]]
        out.append(
            {
                "label": label,
                "seconds": statistics.median(times),
                "raw_seconds": statistics.median(raws),
                "bytes": size,
                "runs": len(found),
                "raw_runs": count,
                "first": first,
            }
        )
    return {"queries": out}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phase", choices=["log_metric", "log_batch", "seed", "search"])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--experiment", default="bench")
    args = parser.parse_args()
    if args.phase == "log_metric":
        emit(phase_log_metric(args.count, args.experiment))
    elif args.phase == "log_batch":
        emit(phase_log_batch(args.count, args.size, args.experiment))
    elif args.phase == "seed":
        emit(phase_seed(args.runs, args.experiment, args.threads))
    else:
        emit(phase_search(args.experiment, args.repeat))


if __name__ == "__main__":
    main()
