"""The ``conveyor`` CLI as a user runs it: a subprocess against a real Jupyter server, the real
companion and (for runs) the real Docker engine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
import yaml
from conftest import require
from servers import JupyterServer, TeamCompanion, jupyter_env

from jupyterlab_conveyor.cli.inputs import parse_params, parse_sweep

IMAGE = os.environ.get("CONVEYOR_TEST_IMAGE", "conveyor/base:dev")
RUNS = "/conveyor/api/v1/runs"


def conveyor(
    server: JupyterServer | None,
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    runtime_dir: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``conveyor ARGS`` in ``cwd``, finding servers in ``runtime_dir`` (default: the server's)."""
    home = server.home if server is not None else cwd
    environment = jupyter_env(home)
    environment["JUPYTER_RUNTIME_DIR"] = str(runtime_dir or home / "runtime")
    environment.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab_conveyor.cli", *args],
        cwd=str(cwd),
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def notebook(path: Path, *sources: str, parameters: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(src) for src in sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def workdir(server: JupyterServer) -> Path:
    path = server.home / "root" / f"t{uuid.uuid4().hex[:8]}"
    path.mkdir(parents=True)
    return path


def has_route(server: JupyterServer, method: str, path: str) -> bool:
    r = requests.request(method, server.url(path), headers=server.auth, json={}, timeout=60)
    return not (r.status_code == 404 and "No route for" in r.text)


@pytest.fixture(scope="module")
def run_api(jupyter: JupyterServer) -> JupyterServer:
    require(has_route(jupyter, "GET", RUNS), "the companion has no run API (GET /runs) yet")
    return jupyter


@pytest.fixture(scope="module")
def docker_image() -> str:
    docker = shutil.which("docker")
    require(docker, "docker CLI not found")
    ok = subprocess.run([str(docker), "image", "inspect", IMAGE], capture_output=True, timeout=60)
    require(ok.returncode == 0, f"image {IMAGE} not built (scripts/setup.sh builds conveyor/base:dev)")
    return IMAGE


# ---- -p and --sweep values


def test_param_values_are_typed_as_yaml_scalars() -> None:
    params = parse_params(
        ["lr=0.1", "epochs=3", "name=resnet", "flag=true", "none=null", "ids=[1, 2]", "quoted='3'", "empty="]
    )
    assert params == {
        "lr": 0.1,
        "epochs": 3,
        "name": "resnet",
        "flag": True,
        "none": None,
        "ids": [1, 2],
        "quoted": "3",
        "empty": "",
    }
    assert type(params["lr"]) is float and type(params["epochs"]) is int
    # a value with '=' in it keeps everything after the first '='
    assert parse_params(["expr=a=b"]) == {"expr": "a=b"}
    # dates stay strings: parameters are JSON
    assert parse_params(["day=2024-01-02"]) == {"day": "2024-01-02"}


def test_sweep_values_are_split_on_commas_and_typed() -> None:
    assert parse_sweep(["lr=0.1,0.01", "opt=adam, sgd", "layers=[[1, 2], [3]]"]) == {
        "lr": [0.1, 0.01],
        "opt": ["adam", "sgd"],
        "layers": [[1, 2], [3]],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "x.ipynb", "-p", "lr"], "expected name=value"),
        (["run", "x.ipynb", "-p", "1x=2"], "is not a parameter name"),
        (["run", "x.ipynb", "--sweep", "lr="], "one or more comma-separated values"),
        (["run", "notes.txt"], "expected a notebook (.ipynb) or a pipeline"),
    ],
)
def test_bad_arguments_are_clear_errors_with_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    done = conveyor(None, *args, "--detach", cwd=tmp_path, env={"CONVEYOR_URL": "http://127.0.0.1:9"})
    assert done.returncode == 2, done
    assert done.stderr.startswith("conveyor: ") and message in done.stderr, done.stderr


# ---- finding the server


def test_no_running_server_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    done = conveyor(None, "runs", cwd=tmp_path)
    assert done.returncode == 2
    assert "no running Jupyter server found" in done.stderr


def _copy_info(server: JupyterServer, runtime: Path, mtime: float) -> None:
    [info] = (server.home / "runtime").glob(f"jpserver-{server.proc.pid}.json")
    target = runtime / info.name
    shutil.copy(info, target)
    os.utime(target, (mtime, mtime))


def test_discovery_picks_the_server_whose_root_holds_the_cwd_else_the_newest(
    start_jupyter: Any, bundle: str, tmp_path: Path
) -> None:
    older: JupyterServer = start_jupyter()
    newer: JupyterServer = start_jupyter()
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    now = time.time()
    _copy_info(older, runtime, now - 100)
    _copy_info(newer, runtime, now)
    inside_older = older.home / "root" / "project" / "sub"
    inside_older.mkdir(parents=True)

    picked = conveyor(None, "status", cwd=inside_older, runtime_dir=runtime)
    assert picked.returncode == 0, picked.stderr
    assert f"url        {older.base}" in picked.stdout
    assert f"workspace  {older.home / 'root'}" in picked.stdout

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    newest = conveyor(None, "status", cwd=elsewhere, runtime_dir=runtime)
    assert newest.returncode == 0, newest.stderr
    assert f"url        {newer.base}" in newest.stdout


def test_url_and_token_from_the_environment(jupyter: JupyterServer, tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    env = {"CONVEYOR_URL": jupyter.base, "CONVEYOR_TOKEN": jupyter.token}
    ok = conveyor(None, "status", cwd=tmp_path, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "embedded mode" in ok.stdout
    wrong = conveyor(None, "status", cwd=tmp_path, env={**env, "CONVEYOR_TOKEN": "wrong"})
    assert wrong.returncode == 2
    assert "refused the credentials" in wrong.stderr
    flags = conveyor(None, "--url", jupyter.base, "--token", jupyter.token, "status", cwd=tmp_path)
    assert flags.returncode == 0, flags.stderr


def test_team_mode_companion_url_with_an_api_token(team_companion: TeamCompanion, tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    env = {"CONVEYOR_URL": team_companion.url, "CONVEYOR_TOKEN": team_companion.token}
    done = conveyor(None, "status", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "team mode" in done.stdout and "user       alice" in done.stdout


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "runtime").mkdir()
    done = conveyor(None, "status", cwd=tmp_path, env={"CONVEYOR_URL": "http://127.0.0.1:9"})
    assert done.returncode == 2
    assert done.stderr.startswith("conveyor: cannot reach http://127.0.0.1:9")


def test_files_outside_the_workspace_are_refused_before_submitting(
    jupyter: JupyterServer, tmp_path: Path
) -> None:
    outside = notebook(tmp_path / "outside.ipynb", "print(1)")
    done = conveyor(jupyter, "run", str(outside), cwd=jupyter.home / "root")
    assert done.returncode == 2
    assert f"{outside} is outside the workspace {jupyter.home / 'root'}" in done.stderr


def test_server_errors_are_printed_as_conveyor_message_exit_2(run_api: JupyterServer) -> None:
    done = conveyor(run_api, "show", "r_doesnotexist", cwd=run_api.home / "root")
    assert done.returncode == 2
    assert done.stderr.startswith("conveyor: ") and "r_doesnotexist" in done.stderr + done.stdout, done.stderr


# ---- pipelines and runs


def test_validate_names_the_cycle(jupyter: JupyterServer) -> None:
    require(has_route(jupyter, "POST", "/conveyor/api/v1/pipelines/validate"), "no /pipelines/validate yet")
    wd = workdir(jupyter)
    for name in "abc":
        notebook(wd / f"{name}.ipynb", "print(1)")
    (wd / "cycle.yaml").write_text(
        "apiVersion: conveyor/v1\nkind: Pipeline\nname: cycle\nsteps:\n"
        "  - {name: a, notebook: a.ipynb, dependsOn: [c]}\n"
        "  - {name: b, notebook: b.ipynb, dependsOn: [a]}\n"
        "  - {name: c, notebook: c.ipynb, dependsOn: [b]}\n"
    )
    done = conveyor(jupyter, "validate", "cycle.yaml", cwd=wd)
    assert done.returncode == 2, done
    cycle_lines = [line for line in done.stderr.splitlines() if "cycle" in line.lower()]
    assert cycle_lines, done.stderr
    assert any(all(n in line for n in "abc") for line in cycle_lines), done.stderr

    (wd / "ok.yaml").write_text(
        "apiVersion: conveyor/v1\nkind: Pipeline\nname: ok\nsteps:\n"
        "  - {name: b, notebook: b.ipynb, dependsOn: [a]}\n"
        "  - {name: a, notebook: a.ipynb}\n"
    )
    ok = conveyor(jupyter, "validate", "ok.yaml", cwd=wd)
    assert ok.returncode == 0, ok.stderr
    assert "order: a → b" in ok.stdout


def test_run_a_two_step_pipeline_streams_the_notebook_output(
    run_api: JupyterServer, docker_image: str
) -> None:
    wd = workdir(run_api)
    marker = uuid.uuid4().hex
    notebook(
        wd / "make.ipynb",
        "open('data.txt', 'w').write(greeting + ' ' + marker)\nprint('made', marker)",
        parameters=f"greeting = 'hello'\nmarker = '{marker}'",
    )
    notebook(wd / "use.ipynb", "print('used', open('inputs/data').read())")
    (wd / "pipe.yaml").write_text(
        f"apiVersion: conveyor/v1\nkind: Pipeline\nname: two\ndefaults: {{image: '{docker_image}'}}\n"
        "steps:\n"
        "  - {name: make, notebook: make.ipynb, outputs: [data.txt]}\n"
        "  - {name: use, notebook: use.ipynb, inputs: {data: make.data.txt}}\n"
    )
    done = conveyor(run_api, "run", "pipe.yaml", "-p", "greeting=howdy", "--no-cache", cwd=wd)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert f"make | made {marker}" in out, out
    assert f"use | used howdy {marker}" in out, out
    assert "make: succeeded" in out and "use: succeeded" in out
    assert out.index("make: succeeded") < out.index("use: running")


def test_failing_notebook_exits_1_with_the_error(run_api: JupyterServer, docker_image: str) -> None:
    wd = workdir(run_api)
    notebook(wd / "bad.ipynb", "x = 1", "raise ValueError('bad input 42')")
    done = conveyor(run_api, "run", "bad.ipynb", "--image", docker_image, "--no-cache", cwd=wd)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ValueError: bad input 42" in done.stderr, done.stderr
    failing = [line for line in done.stderr.splitlines() if "failed" in line]
    # the raising cell is the notebook's second, counted from 1 as people do
    assert any("failed: cell 2: ValueError: bad input 42" in line for line in failing), done.stderr


def test_params_reach_the_run_typed(run_api: JupyterServer, docker_image: str) -> None:
    wd = workdir(run_api)
    notebook(
        wd / "types.ipynb",
        "print('types', type(lr).__name__, type(epochs).__name__, type(flag).__name__, type(name).__name__)",
        parameters="lr = 1.0\nepochs = 1\nflag = False\nname = 'x'",
    )
    args = ["-p", "lr=0.1", "-p", "epochs=3", "-p", "flag=true", "-p", "name=abc"]
    detached = conveyor(
        run_api, "--json", "run", "types.ipynb", *args, "--image", docker_image, "--detach", cwd=wd
    )
    assert detached.returncode == 0, detached.stderr
    run = json.loads(detached.stdout)
    stored = requests.get(run_api.url(f"{RUNS}/{run['id']}"), headers=run_api.auth, timeout=60).json()
    params = stored["params"] if stored["params"] else stored["pipeline"]["steps"][0]["params"]
    assert params == {"lr": 0.1, "epochs": 3, "flag": True, "name": "abc"}

    # the detached run's output, followed to the end of the step
    logs = conveyor(run_api, "logs", run["id"], "types", "-f", cwd=wd)
    assert logs.returncode == 0, logs.stderr
    assert "types float int bool str" in logs.stdout

    # the same inputs again: the step is reused, and the CLI says from where
    again = conveyor(run_api, "run", "types.ipynb", *args, "--image", docker_image, cwd=wd)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"types: succeeded (cached from {run['id']})" in again.stdout


def test_ctrl_c_cancels_the_run_and_exits_130(run_api: JupyterServer, docker_image: str) -> None:
    wd = workdir(run_api)
    notebook(wd / "slow.ipynb", "import time\nprint('sleeping', flush=True)\ntime.sleep(300)")
    environment = jupyter_env(run_api.home)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab_conveyor.cli",
            "run",
            "slow.ipynb",
            "--image",
            docker_image,
            "--no-cache",
        ],
        cwd=str(wd),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        run_id = first.split()[1]
        deadline = time.monotonic() + 120
        for line in proc.stdout:
            if "slow | sleeping" in line or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert f"cancelling run {run_id}" in err
    run = requests.get(run_api.url(f"{RUNS}/{run_id}"), headers=run_api.auth, timeout=60).json()
    assert run["status"] == "cancelled", run


def elyra_node(node_id: str, filename: str, after: list[str]) -> dict[str, Any]:
    inport: dict[str, Any] = {"id": "inPort"}
    if after:
        inport["links"] = [{"id": f"l-{a}", "node_id_ref": a, "port_id_ref": "outPort"} for a in after]
    return {
        "id": node_id,
        "type": "execution_node",
        "op": "execute-notebook-node",
        "app_data": {
            "label": "",
            "component_parameters": {"filename": filename, "runtime_image": IMAGE, "outputs": []},
            "ui_data": {"label": filename},
        },
        "inputs": [inport],
        "outputs": [{"id": "outPort"}],
    }


def test_import_elyra_writes_a_pipeline_that_validates(jupyter: JupyterServer) -> None:
    wd = workdir(jupyter)
    notebook(wd / "nb" / "load.ipynb", "print(1)")
    notebook(wd / "nb" / "train.ipynb", "print(2)")
    flow = {
        "doc_type": "pipeline",
        "version": "3.0",
        "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/pipeline-flow-v3-schema.json",
        "id": "elyra-auto-generated-pipeline",
        "primary_pipeline": "primary",
        "pipelines": [
            {
                "id": "primary",
                "nodes": [
                    elyra_node("n-load", "nb/load.ipynb", []),
                    elyra_node("n-train", "nb/train.ipynb", ["n-load"]),
                ],
                "app_data": {"version": 8, "properties": {"name": "flow", "runtime": "Generic"}},
                "runtime_ref": "",
            }
        ],
        "schemas": [],
    }
    (wd / "flow.pipeline").write_text(json.dumps(flow))
    done = conveyor(jupyter, "import-elyra", "flow.pipeline", "-o", "flow.yaml", cwd=wd)
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load((wd / "flow.yaml").read_text())
    steps = {s["name"]: s for s in written["steps"]}
    assert len(steps) == 2
    [train] = [s for s in steps.values() if s["notebook"].endswith("train.ipynb")]
    [load] = [s for s in steps.values() if s["notebook"].endswith("load.ipynb")]
    assert load["name"] in train.get("dependsOn", [])
    valid = conveyor(jupyter, "validate", "flow.yaml", cwd=wd)
    assert valid.returncode == 0, valid.stderr
    assert f"order: {load['name']} → {train['name']}" in valid.stdout

    outside = conveyor(jupyter, "import-elyra", "flow.pipeline", "-o", "/tmp/flow.yaml", cwd=wd)
    assert outside.returncode == 2 and "outside the workspace" in outside.stderr
    # step paths are relative to the pipeline file: the server keeps the output next to the input
    elsewhere = conveyor(jupyter, "import-elyra", "flow.pipeline", "-o", "out/flow.yaml", cwd=wd)
    assert elsewhere.returncode == 2 and elsewhere.stderr.startswith("conveyor: "), elsewhere.stderr
    assert not (wd / "out" / "flow.yaml").exists()
