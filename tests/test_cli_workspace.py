"""The extension tells the companion where the workspace is (Jupyter's root_dir) and which image
steps use by default; pipeline paths in the API then resolve against that folder."""

from __future__ import annotations

import psutil
import requests
from servers import JupyterServer

VALIDATE = "/conveyor/api/v1/pipelines/validate"


def companion_env(server: JupyterServer) -> dict[str, str]:
    pid = int(server.companion_info(timeout=60)["pid"])
    return psutil.Process(pid).environ()


def test_companion_gets_the_absolute_root_dir_and_the_default_image(start_jupyter, bundle) -> None:
    server: JupyterServer = start_jupyter(conveyor={"default_image": "example/steps:1"})
    # Starting the companion is lazy-tolerant: the first API call waits for it.
    assert requests.get(server.url("/conveyor/api/v1/health"), headers=server.auth, timeout=60).ok
    env = companion_env(server)
    assert env["CONVEYOR_WORKSPACE_DIR"] == str((server.home / "root").resolve())
    assert env["CONVEYOR_DEFAULT_IMAGE"] == "example/steps:1"


def test_default_image_defaults_to_the_base_image(jupyter: JupyterServer) -> None:
    assert requests.get(jupyter.url("/conveyor/api/v1/health"), headers=jupyter.auth, timeout=60).ok
    assert companion_env(jupyter)["CONVEYOR_DEFAULT_IMAGE"] == "conveyor/base:dev"


def test_relative_root_dir_is_passed_as_an_absolute_path(start_jupyter, bundle) -> None:
    # root_dir given relative to Jupyter's working directory (the fixture runs it in its home).
    server: JupyterServer = start_jupyter(extra={"ServerApp": {"root_dir": "root"}})
    assert requests.get(server.url("/conveyor/api/v1/health"), headers=server.auth, timeout=60).ok
    assert companion_env(server)["CONVEYOR_WORKSPACE_DIR"] == str((server.home / "root").resolve())


def test_pipeline_paths_resolve_against_the_jupyter_root(jupyter: JupyterServer) -> None:
    root = jupyter.home / "root"
    (root / "flows").mkdir(exist_ok=True)
    (root / "flows" / "a.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    (root / "flows" / "p.yaml").write_text(
        "apiVersion: conveyor/v1\nkind: Pipeline\nname: p\nsteps:\n  - name: a\n    notebook: a.ipynb\n"
    )
    r = requests.post(
        jupyter.url(VALIDATE), json={"pipelinePath": "flows/p.yaml"}, headers=jupyter.auth, timeout=60
    )
    assert r.status_code == 200, r.text
    assert r.json()["order"] == ["a"]
    missing = requests.post(
        jupyter.url(VALIDATE), json={"pipelinePath": "p.yaml"}, headers=jupyter.auth, timeout=60
    )
    # the same file relative to the companion's own working directory is not the workspace's
    assert missing.status_code in (400, 404), missing.text
    assert "not_found" in missing.json()["error"]["code"], missing.text
