"""How much does running notebooks as Conveyor pipeline steps (one container per step) cost over
running the same notebooks one after another with papermill in one process — and over Elyra's
local runner?

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/pipeline_overhead.py [--skip-elyra] [--elyra-python /tmp/elyra-venv/bin/python]

Scenarios: (a) a chain of 10 trivial notebooks, (b) a 16-way parameter sweep of one notebook,
(c) a DAG 1 → 4 parallel → 1. Conveyor: a Jupyter server with the extension and its companion is
started here (as tests/servers.py does), or CONVEYOR_URL/CONVEYOR_TOKEN name a running one whose
workspace is CONVEYOR_BENCH_WORKSPACE; each scenario is submitted through the API with the cache
off, and timed from the POST until the run is seen finished. Baseline: papermill.execute_notebook
on the same notebooks, one after another, in this process. Elyra (when its venv exists):
`elyra-pipeline run` of an equivalent .pipeline file.

Per-step overhead = (wall time − the notebooks' own execution time, from the executed notebooks'
metadata.papermill.duration) / steps. Prints a table and the ratios; asserts nothing.
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
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from jupyterlab_conveyor.cli.client import Api, Connection  # noqa: E402

IMAGE = os.environ.get("CONVEYOR_TEST_IMAGE", "conveyor/base:dev")
ELYRA_PYTHON = "/tmp/elyra-venv/bin/python"
CHAIN, SWEEP, BRANCHES = 10, 16, 4
POLL = 0.1

# A "trivial" notebook: a parameters cell and a cell that computes and prints a little.
PARAMS_SOURCE = "i = 0"
WORK_SOURCE = "total = sum(range(1000 * (i + 1)))\nprint('step', i, total)"


@dataclass
class Step:
    name: str
    notebook: str  # relative to the workspace
    params: dict[str, Any] = field(default_factory=dict)
    after: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    key: str
    title: str
    steps: list[Step]
    sweep: list[int] | None = None  # (b): one notebook, a grid over i


@dataclass
class Result:
    wall: float
    own: float  # sum of the notebooks' own execution time
    steps: int
    note: str = ""

    @property
    def overhead(self) -> float:
        return (self.wall - self.own) / self.steps


# ---- notebooks and scenarios


def write_notebook(path: Path, default_i: int = 0) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(f"i = {default_i}")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(WORK_SOURCE)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def scenarios(workspace: Path, sub: str) -> list[Scenario]:
    """Writes the notebooks to ``workspace/sub``; step notebook paths are workspace-relative."""
    root = workspace / sub
    for n in range(CHAIN):
        write_notebook(root / "chain" / f"s{n}.ipynb", n)
    write_notebook(root / "sweep" / "train.ipynb")
    for n in range(SWEEP):  # Elyra has no sweeps: one notebook per parameter value there
        write_notebook(root / "sweep" / f"train_{n}.ipynb", n)
    for name in ["first", *(f"branch{n}" for n in range(BRANCHES)), "last"]:
        write_notebook(root / "dag" / f"{name}.ipynb")
    chain = [
        Step(f"s{n}", f"{sub}/chain/s{n}.ipynb", {"i": n}, [f"s{n - 1}"] if n else []) for n in range(CHAIN)
    ]
    branches = [
        Step(f"branch{n}", f"{sub}/dag/branch{n}.ipynb", {"i": n}, ["first"]) for n in range(BRANCHES)
    ]
    dag = [
        Step("first", f"{sub}/dag/first.ipynb"),
        *branches,
        Step("last", f"{sub}/dag/last.ipynb", {}, [b.name for b in branches]),
    ]
    sweep = [Step(f"i{n}", f"{sub}/sweep/train.ipynb", {"i": n}) for n in range(SWEEP)]
    return [
        Scenario("a", f"(a) chain of {CHAIN}", chain),
        Scenario("b", f"(b) sweep of {SWEEP}", sweep, sweep=list(range(SWEEP))),
        Scenario("c", f"(c) DAG 1 → {BRANCHES} → 1", dag),
    ]


# ---- papermill, in this process


def run_papermill(root: Path, scenario: Scenario, out_dir: Path) -> Result:
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    own = 0.0
    start = time.perf_counter()
    for step in scenario.steps:  # the list is in topological order
        out = out_dir / f"{scenario.key}-{step.name}.ipynb"
        papermill.execute_notebook(
            str(root / step.notebook),
            str(out),
            parameters=step.params,
            kernel_name="python3",
            progress_bar=False,
            cwd=str((root / step.notebook).parent),
        )
        own += nbformat.read(str(out), as_version=4).metadata["papermill"]["duration"]
    return Result(time.perf_counter() - start, own, len(scenario.steps))


# ---- Conveyor, through the API


def pipeline_doc(scenario: Scenario) -> dict[str, Any]:
    steps = []
    for step in scenario.steps[:1] if scenario.sweep else scenario.steps:
        spec: dict[str, Any] = {
            "name": step.name if not scenario.sweep else "train",
            "notebook": step.notebook,
        }
        if step.params and not scenario.sweep:
            spec["params"] = step.params
        if step.after:
            spec["dependsOn"] = step.after
        steps.append(spec)
    doc: dict[str, Any] = {
        "apiVersion": "conveyor/v1",
        "kind": "Pipeline",
        "name": f"bench-{scenario.key}",
        "defaults": {"image": IMAGE},
        "steps": steps,
    }
    return doc


def conveyor_run(api: Api, scenario: Scenario) -> Result:
    body: dict[str, Any] = {"pipeline": pipeline_doc(scenario), "cache": False}
    if scenario.sweep:
        body["sweep"] = {"grid": {"i": scenario.sweep}, "maxParallel": SWEEP}
    start = time.perf_counter()
    run = api.post("/runs", body)
    while run["status"] not in ("succeeded", "failed", "cancelled"):
        time.sleep(POLL)
        run = api.get(f"/runs/{run['id']}")
    wall = time.perf_counter() - start
    runs = [api.get(f"/runs/{c['id']}") for c in run["sweep"]["children"]] if run.get("sweep") else [run]
    own, steps, failed = 0.0, 0, []
    for r in runs:
        for step in r["steps"]:
            steps += 1
            if step["status"] != "succeeded":
                failed.append(f"{r['id']}/{step['name']}: {step['status']} {step.get('error') or ''}")
                continue
            path = f"/runs/{r['id']}/steps/{urllib.parse.quote(step['name'])}/notebook"
            own += api.get(path)["metadata"]["papermill"]["duration"]
    if failed or run["status"] != "succeeded":
        raise SystemExit(f"Conveyor run {run['id']} {run['status']}: {'; '.join(failed)[:2000]}")
    return Result(wall, own, steps)


def start_conveyor(home: Path) -> tuple[Any, Api, Path]:
    from servers import JupyterServer

    server = JupyterServer(home)
    connection = Connection(server.base, server.token, str(home / "root"), "bench")
    api = Api(connection, timeout=120)
    api.get("/status")  # waits for the companion
    return server, api, home / "root"


# ---- Elyra


def elyra_pipeline(scenario: Scenario) -> dict[str, Any]:
    ids = {
        step.name: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scenario.key}/{step.name}"))
        for step in scenario.steps
    }
    nodes = []
    for n, step in enumerate(scenario.steps):
        # Elyra's generic nodes take no parameters: the sweep uses one notebook copy per value.
        filename = step.notebook if not scenario.sweep else step.notebook.replace("train.", f"train_{n}.")
        links = [
            {"id": f"link-{ids[a]}-{ids[step.name]}", "node_id_ref": ids[a], "port_id_ref": "outPort"}
            for a in step.after
        ]
        inport: dict[str, Any] = {"id": "inPort", "app_data": {"ui_data": {"label": "Input Port"}}}
        if links:
            inport["links"] = links
        nodes.append(
            {
                "id": ids[step.name],
                "type": "execution_node",
                "op": "execute-notebook-node",
                "app_data": {
                    "label": step.name,
                    "component_parameters": {
                        "filename": filename,
                        "outputs": [],
                        "env_vars": [],
                        "dependencies": [],
                        "include_subdirectories": False,
                        # required by Elyra's validation; the local runner ignores it
                        "runtime_image": IMAGE,
                    },
                    "ui_data": {"label": step.name},
                },
                "inputs": [inport],
                "outputs": [{"id": "outPort", "app_data": {"ui_data": {"label": "Output Port"}}}],
            }
        )
    return {
        "doc_type": "pipeline",
        "version": "3.0",
        "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/pipeline-flow-v3-schema.json",
        "id": f"bench-{scenario.key}",
        "primary_pipeline": "primary",
        "pipelines": [
            {
                "id": "primary",
                "nodes": nodes,
                "app_data": {
                    "ui_data": {"comments": []},
                    "version": 8,
                    "runtime_type": "LOCAL",
                    "properties": {
                        "name": f"bench-{scenario.key}",
                        "runtime": "Generic",
                        "pipeline_defaults": {},
                    },
                },
                "runtime_ref": "",
            }
        ],
        "schemas": [],
    }


def elyra_available(python: str) -> str:
    """'' when Elyra can run, else why not."""
    if not Path(python).exists():
        return f"{python} not found; create it: python3 -m venv /tmp/elyra-venv && /tmp/elyra-venv/bin/pip install elyra"
    cli = Path(python).parent / "elyra-pipeline"
    if not cli.exists():
        return f"{cli} not found (pip install elyra into that venv)"
    return ""


def run_elyra(python: str, workspace: Path, sub: str, scenario: Scenario, work: Path) -> Result:
    # Elyra writes executed notebooks next to the sources: give it its own copy.
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(workspace / sub, work / sub)
    pipeline = work / f"bench-{scenario.key}.pipeline"
    pipeline.write_text(json.dumps(elyra_pipeline(scenario), indent=1))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "CONVEYOR_"))}
    env["JUPYTER_DATA_DIR"] = str(work.parent / "elyra-jupyter-data")
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    cli = str(Path(python).parent / "elyra-pipeline")
    start = time.perf_counter()
    done = subprocess.run(
        [cli, "run", str(pipeline)], cwd=str(work), env=env, capture_output=True, text=True, timeout=900
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError((done.stdout + done.stderr).strip()[-1500:])
    own = 0.0
    steps = 0
    for n, step in enumerate(scenario.steps):
        filename = step.notebook if not scenario.sweep else step.notebook.replace("train.", f"train_{n}.")
        nb = nbformat.read(str(work / filename), as_version=4)
        duration = (nb.metadata.get("papermill") or {}).get("duration")
        if duration is None:  # Elyra 4 runs notebooks with papermill; older ones with nbconvert
            raise RuntimeError(f"{filename}: no metadata.papermill.duration after the Elyra run")
        own += float(duration)
        steps += 1
    return Result(wall, own, steps)


# ---- main


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:7.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-elyra", action="store_true")
    parser.add_argument("--elyra-python", default=ELYRA_PYTHON)
    parser.add_argument("--only", default="abc", help="scenario keys to run (default abc)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="conveyor-bench-"))
    sub = f"conveyor-bench-{uuid.uuid4().hex[:8]}"
    server = None
    workspace = tmp
    try:
        if os.environ.get("CONVEYOR_URL"):
            if not os.environ.get("CONVEYOR_BENCH_WORKSPACE"):
                raise SystemExit("CONVEYOR_URL needs CONVEYOR_BENCH_WORKSPACE: the server's workspace folder")
            workspace = Path(os.environ["CONVEYOR_BENCH_WORKSPACE"]).resolve()
            connection = Connection(
                os.environ["CONVEYOR_URL"], os.environ.get("CONVEYOR_TOKEN", ""), str(workspace), "env"
            )
            api = Api(connection, timeout=120)
        else:
            server, api, workspace = start_conveyor(tmp / "jupyter")
        status = api.get("/status")
        print(
            f"Conveyor {status['server']['version']} ({status['server']['mode']} mode),"
            f" Docker {status['docker'].get('version')}, {status['capacity']['cpus']} CPUs, image {IMAGE}"
        )
        all_scenarios = [s for s in scenarios(workspace, sub) if s.key in args.only]

        # Warm up: the image's files in the page cache, the kernel's imports compiled, the engine awake.
        warm = Scenario("w", "warm-up", [Step("w", all_scenarios[0].steps[0].notebook)])
        conveyor_run(api, warm)
        run_papermill(workspace, warm, tmp / "papermill")

        elyra_why = "skipped (--skip-elyra)" if args.skip_elyra else elyra_available(args.elyra_python)
        rows = []
        for s in all_scenarios:
            paper = run_papermill(workspace, s, tmp / "papermill")
            conv = conveyor_run(api, s)
            ely: Result | None = None
            if not elyra_why:
                try:
                    ely = run_elyra(args.elyra_python, workspace, sub, s, tmp / f"elyra-{s.key}")
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print(f"Elyra failed on {s.title}: {e}")
            rows.append((s, paper, conv, ely))
            print(
                f"  done {s.title}: papermill {paper.wall:.2f}s, Conveyor {conv.wall:.2f}s"
                + (f", Elyra {ely.wall:.2f}s" if ely else ""),
                flush=True,
            )

        print()
        header = (
            f"{'scenario':<20} {'steps':>5} | {'papermill':>9} {'own':>6} {'ovh/step':>8} | {'Conveyor':>9}"
            f" {'own':>6} {'ovh/step':>8} | {'Elyra':>9} {'ovh/step':>8} | {'Cv/pm':>6} {'Cv/Ely':>6}"
        )
        print(header)
        print("-" * len(header))
        for s, paper, conv, ely in rows:
            print(
                f"{s.title:<20} {conv.steps:>5} | {fmt(paper.wall):>9} {paper.own:6.2f} {fmt(paper.overhead):>8} |"
                f" {fmt(conv.wall):>9} {conv.own:6.2f} {fmt(conv.overhead):>8} |"
                f" {fmt(ely.wall if ely else None):>9} {fmt(ely.overhead if ely else None):>8} |"
                f" {conv.wall / paper.wall:6.2f} {(f'{conv.wall / ely.wall:6.2f}' if ely else '     —')}"
            )
        print()
        print(
            "wall times in seconds from submit to finished; own = sum of the notebooks' papermill durations;"
        )
        print("ovh/step = (wall − own) / steps; Cv/pm, Cv/Ely = Conveyor wall / papermill or Elyra wall.")
        if elyra_why:
            print(f"Elyra: {elyra_why}")
        chain = next((r for r in rows if r[0].key == "a"), None)
        if chain:
            ovh = chain[2].overhead
            print(
                f"Conveyor overhead per step, sequential chain (a): {ovh:.2f}s (goal ≤ 1 s on a warm engine)"
                f" → {'met' if ovh <= 1.0 else 'NOT met'}; papermill in-process: {chain[1].overhead:.2f}s"
            )
        print("(for (b) and (c) steps run in parallel, so wall − own can be negative: compare the walls)")
        dag = next((r for r in rows if r[0].key == "c"), None)
        if dag and dag[3]:
            faster = dag[2].wall < dag[3].wall
            print(
                f"DAG: Conveyor {dag[2].wall:.2f}s vs Elyra {dag[3].wall:.2f}s → {'faster' if faster else 'NOT faster'}"
            )
        return 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workspace / sub, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
