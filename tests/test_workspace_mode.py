"""Workspace mode: the server extension inside a managed workspace spawns no companion, adds no route."""

from __future__ import annotations

import psutil
import requests
from servers import JupyterServer

WORKSPACE = "0123456789ab"


def test_workspace_mode_spawns_no_companion_and_adds_no_route(start_jupyter, bundle: str) -> None:  # type: ignore[no-untyped-def]
    # A companion bundle and Node are there: only workspace mode keeps them from being used.
    jupyter: JupyterServer = start_jupyter(env={"CONVEYOR_WORKSPACE_ID": WORKSPACE})
    assert f"Conveyor: workspace mode (workspace {WORKSPACE}), no companion" in jupyter.log_text()
    # (JupyterLab may run a short `npm prefix -g` of its own: only the companion counts.)
    children = [" ".join(p.cmdline()) for p in psutil.Process(jupyter.proc.pid).children(recursive=True)]
    assert [c for c in children if "conveyor-server" in c] == []
    assert jupyter.companion_lines() == []
    # The Conveyor server in front of the workspace answers <base_url>/conveyor/: nothing here does.
    r = requests.get(jupyter.url("/conveyor/api/v1/status"), headers=jupyter.auth, timeout=10)
    assert r.status_code == 404
    assert not jupyter.info_path.exists()
