"""MLflow tracking speed: a real ``mlflow server`` (sqlite) against Conveyor, same client, same invocation.

    python3 -m venv /work/bench-venv && PIP_CERT=/etc/ssl/certs/ca-certificates.crt \\
        /work/bench-venv/bin/pip install -r bench/requirements.txt
    npm --prefix server run build
    /work/bench-venv/bin/python bench/mlflow_tracking.py [--quick] [--runs 10000] [--only a,b,c]

Starts ``mlflow server --backend-store-uri sqlite:///… --artifacts-destination …`` (its default
workers) and the Conveyor companion bundle in team mode (its own sqlite store; user ``bench`` with an
API token from the admin CLI), then runs bench/mlflow_client.py — the same script and client (the
full ``mlflow`` of the bench venv) — against each, with only ``MLFLOW_TRACKING_URI`` (and
``MLFLOW_TRACKING_TOKEN`` for Conveyor) changed:

(a) 10,000 synchronous ``mlflow.log_metric``; (b) 100 ``log_batch`` of 1,000 metrics; (c)
``search_runs`` with a filter and ``order_by`` over ``--runs`` runs × 50 params × 50 metrics
(median of ``--repeat`` after one warm-up). Seeding for (c) is timed and printed, not part of a
ratio: Conveyor through its REST API (per run ``create_run`` + one ``log_batch``, 4 client
threads); MLflow with bench/mlflow_seed.py (MLflow's own SQLAlchemy models, one transaction) since
the same REST seeding takes ~0.18 s per run there (``--seed-mlflow-rest`` does it anyway).
Ratios: throughput Conveyor / MLflow (goal ≥ 3 for logging), search time MLflow / Conveyor (goal
≥ 10). "raw" = the same REST call made with ``requests`` (server + transfer, no client parsing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlflow_servers import ConveyorServer, MlflowServer

HERE = Path(__file__).resolve().parent
CLIENT = HERE / "mlflow_client.py"


def client(python: Path, server, phase: str, *args: str) -> dict:
    """Runs the client script against ``server``; its last stdout line is the JSON result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env["MLFLOW_TRACKING_URI"] = server.tracking_uri
    if server.token:
        env["MLFLOW_TRACKING_TOKEN"] = server.token
    done = subprocess.run([str(python), str(CLIENT), phase, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{server.name} {phase} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def log_scenario(title: str, unit: str, results: dict) -> None:
    print(f"\n{title}")
    rates = {}
    for name, r in results.items():
        rates[name] = r["ops"] / r["seconds"]
        points = f", {r['points'] / r['seconds']:,.0f} points/s" if r["ops"] != r["points"] else ""
        print(f"  {name:<9} {r['seconds']:8.2f} s   {rates[name]:9,.1f} {unit}/s{points}")
    print(f"  throughput Conveyor/MLflow: {ratio(rates['Conveyor'], rates['MLflow'])}   (goal ≥ 3×)")


def search_scenario(runs: int, seeds: dict, results: dict) -> None:
    print(f"\n(c) search_runs over {runs:,} runs × 50 params × 50 metrics")
    for name, s in seeds.items():
        print(f"  seeding {name:<9} {s['seconds']:8.1f} s   ({s['how']}; not part of the ratio)")
    for i, q in enumerate(results["MLflow"]["queries"]):
        c = results["Conveyor"]["queries"][i]
        same = "same runs" if q["first"] == c["first"] and q["runs"] == c["runs"] else "RESULTS DIFFER"
        print(f"  {q['label']} — {q['runs']} runs returned, {same}")
        for name, r in (("MLflow", q), ("Conveyor", c)):
            print(
                f"    {name:<9} client {r['seconds'] * 1000:8.1f} ms   raw {r['raw_seconds'] * 1000:8.1f} ms"
                f"   {r['bytes'] / 1e6:6.2f} MB"
            )
        print(
            f"    speed Conveyor/MLflow: client {ratio(q['seconds'], c['seconds'])}, "
            f"raw {ratio(q['raw_seconds'], c['raw_seconds'])}   (goal ≥ 10×)"
        )
        if same != "same runs":
            print(f"    first runs: MLflow {q['first']}  Conveyor {c['first']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke version (500 / 10 / 500 runs)")
    parser.add_argument("--runs", type=int, help="runs seeded for (c) (default 10,000)")
    parser.add_argument("--metrics", type=int, help="log_metric calls in (a) (default 10,000)")
    parser.add_argument("--batches", type=int, help="log_batch calls in (b) (default 100)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per search query")
    parser.add_argument("--only", default="a,b,c", help="scenarios to run, e.g. 'c'")
    parser.add_argument("--mlflow-workers", type=int, help="mlflow server --workers (default: its own, 4)")
    parser.add_argument("--seed-mlflow-rest", action="store_true", help="seed MLflow through REST as well")
    parser.add_argument("--node", default=shutil.which("node") or "node")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    runs = args.runs or (500 if args.quick else 10_000)
    metrics = args.metrics or (500 if args.quick else 10_000)
    batches = args.batches or (10 if args.quick else 100)
    only = set(args.only.split(","))
    python = Path(sys.executable)

    home = Path(tempfile.mkdtemp(prefix="conveyor-bench-mlflow-"))
    servers = []
    try:
        servers.append(MlflowServer(python, home / "mlflow", args.mlflow_workers))
        servers.append(ConveyorServer(args.node, home / "conveyor"))
        by_name = {s.name: s for s in servers}
        print(
            f"MLflow {servers[0].url} (sqlite {home / 'mlflow'}), Conveyor {servers[1].url} (team mode); "
            f"client: {python} mlflow_client.py; logs in {home}"
        )
        if "a" in only:
            results = {
                s.name: client(python, s, "log_metric", "--count", str(metrics), "--experiment", "bench-a")
                for s in servers
            }
            log_scenario(f"(a) {metrics:,} synchronous log_metric", "calls", results)
        if "b" in only:
            results = {
                s.name: client(python, s, "log_batch", "--count", str(batches), "--experiment", "bench-b")
                for s in servers
            }
            log_scenario(f"(b) {batches} log_batch of 1,000 metrics", "batches", results)
        if "c" in only:
            seeds = {}
            mlflow = by_name["MLflow"]
            if args.seed_mlflow_rest:
                seeds["MLflow"] = client(
                    python, mlflow, "seed", "--runs", str(runs), "--experiment", "bench-c"
                )
                seeds["MLflow"]["how"] = "REST: create_run + log_batch per run, 4 threads"
            else:
                start = time.perf_counter()
                done = subprocess.run(
                    [
                        str(python),
                        str(HERE / "mlflow_seed.py"),
                        mlflow.db_uri,
                        "--runs",
                        str(runs),
                        "--experiment",
                        "bench-c",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                seeds["MLflow"] = json.loads(done.stdout.strip().splitlines()[-1])
                seeds["MLflow"]["seconds"] = time.perf_counter() - start
                seeds["MLflow"]["how"] = "MLflow's SQLAlchemy models, one transaction, no server"
            seeds["Conveyor"] = client(
                python, by_name["Conveyor"], "seed", "--runs", str(runs), "--experiment", "bench-c"
            )
            seeds["Conveyor"]["how"] = "REST: create_run + log_batch per run, 4 threads"
            results = {
                s.name: client(python, s, "search", "--experiment", "bench-c", "--repeat", str(args.repeat))
                for s in servers
            }
            search_scenario(runs, seeds, results)
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print(f"\nkept {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
