"""Fixtures: a real Jupyter server with the extension, against the real companion bundle.

Under ``CI=true`` a missing prerequisite fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import JupyterServer, TeamCompanion

from jupyterlab_conveyor.app import find_bundle

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: object, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a prerequisite is missing."""
    if not condition:
        if IN_CI:
            pytest.fail(f"prerequisite missing under CI=true: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    require(path, "Node.js is not on PATH: the companion server cannot run")
    return str(path)


@pytest.fixture(scope="session")
def bundle(node: str) -> str:
    path = find_bundle()
    require(
        path,
        "companion bundle not built: run `npm --prefix server ci && npm --prefix server run build`",
    )
    return path


@pytest.fixture
def start_jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """``start_jupyter(conveyor={...}, extra={...})`` → a running :class:`JupyterServer`."""
    started: list[JupyterServer] = []

    def start(**kwargs: object) -> JupyterServer:
        server = JupyterServer(tmp_path_factory.mktemp("jupyter"), **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def jupyter(bundle: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """One embedded-mode Jupyter server shared by a test module."""
    server = JupyterServer(tmp_path_factory.mktemp("jupyter"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def team_companion(
    node: str, bundle: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TeamCompanion]:
    companion = TeamCompanion(node, bundle, tmp_path_factory.mktemp("team"))
    yield companion
    companion.stop()


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
