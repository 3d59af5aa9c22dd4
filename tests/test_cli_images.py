"""``conveyor images`` as a user runs it: a subprocess against a real Jupyter server, the real
companion, the real registry (``CONVEYOR_TEST_REGISTRY``, where setup pushes ``shared/base``) and
the real Docker engine."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import require
from servers import JupyterServer
from test_cli import conveyor

REGISTRY = os.environ.get("CONVEYOR_TEST_REGISTRY", "127.0.0.1:5000")
LOCAL_IMAGE = os.environ.get("CONVEYOR_TEST_IMAGE", "conveyor/base:dev")
API = "/conveyor/api/v1"


@pytest.fixture(scope="module")
def server(bundle: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    try:
        up = requests.get(f"http://{REGISTRY}/v2/", timeout=5).ok
    except requests.RequestException:
        up = False
    require(up, f"no registry at {REGISTRY} (bash scripts/registry.sh starts one)")
    jupyter = JupyterServer(tmp_path_factory.mktemp("jupyter"), env={"CONVEYOR_REGISTRY": REGISTRY})
    yield jupyter
    jupyter.stop()


@pytest.fixture(scope="module")
def base(server: JupyterServer) -> dict[str, Any]:
    """The registry's shared/base entry of GET /images."""
    r = requests.get(server.url(f"{API}/images"), headers=server.auth, timeout=120)
    assert r.ok, r.text
    found = [i for i in r.json() if i.get("source") == "registry" and i.get("repository") == "shared/base"]
    require(
        found, f"shared/base is not in {REGISTRY} (scripts/setup.sh, or `images/build.sh base`, pushes it)"
    )
    return found[0]


def cli(server: JupyterServer, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return conveyor(server, *args, cwd=server.home / "root", timeout=timeout)


def user_name(server: JupyterServer) -> str:
    return requests.get(server.url(f"{API}/status"), headers=server.auth, timeout=60).json()["user"]["name"]


def rand() -> str:
    return secrets.token_hex(4)


def test_images_lists_shared_base_with_size_and_build_id(server: JupyterServer, base: dict[str, Any]) -> None:
    done = cli(server, "images")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split()[:4] == ["IMAGE", "SIZE", "CREATED", "BUILD"]
    row = next(r for r in rows if r.startswith(f"shared/base:{base['tag']} "))
    assert base["buildId"] in row and "MiB" in row

    as_json = cli(server, "images", "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert base["ref"] in [i.get("ref") for i in json.loads(as_json.stdout)]


def test_images_show_prints_the_package_lists(server: JupyterServer, base: dict[str, Any]) -> None:
    done = cli(server, "images", "show", base["ref"])  # the full ref, registry host and all
    assert done.returncode == 0, done.stderr
    assert f"image      shared/base:{base['tag']}" in done.stdout
    assert base["digest"] in done.stdout
    assert "Python packages (" in done.stdout and "Debian packages (" in done.stdout
    assert any(line.strip().startswith("ipykernel==") for line in done.stdout.splitlines())


def test_package_search_finds_base_by_a_package_it_has_and_not_by_a_nonsense_one(
    server: JupyterServer, base: dict[str, Any]
) -> None:
    done = cli(server, "images", "--package", "ipykernel")
    assert done.returncode == 0, done.stderr
    row = next(r for r in done.stdout.splitlines() if r.startswith(f"shared/base:{base['tag']} "))
    assert "ipykernel==" in row  # the MATCHES column

    nonsense = cli(server, "images", "--package", f"nosuchpackage{rand()}")
    assert nonsense.returncode == 0, nonsense.stderr
    assert "shared/base" not in nonsense.stdout
    assert nonsense.stdout.strip() == "no images with that package"


def test_default_image_round_trip(server: JupyterServer, base: dict[str, Any]) -> None:
    before = cli(server, "images", "default")
    assert before.returncode == 0, before.stderr
    original = before.stdout.strip()
    assert original
    try:
        done = cli(server, "images", "default", base["ref"])
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == base["ref"]
        assert cli(server, "images", "default").stdout.strip() == base["ref"]
        listed = cli(server, "--json", "images")
        assert [i["ref"] for i in json.loads(listed.stdout) if i.get("default")] == [base["ref"]]
    finally:
        assert cli(server, "images", "default", original).returncode == 0
    assert cli(server, "images", "default").stdout.strip() == original


def test_delete_removes_a_tag_pushed_under_users_me(server: JupyterServer, base: dict[str, Any]) -> None:
    docker = shutil.which("docker")
    require(docker, "docker CLI not found")
    present = subprocess.run([str(docker), "image", "inspect", LOCAL_IMAGE], capture_output=True, timeout=60)
    require(present.returncode == 0, f"image {LOCAL_IMAGE} not built (scripts/setup.sh builds it)")
    repository = f"users/{user_name(server)}/cli{rand()}"
    tag = f"0.0.1-b{rand()}"
    r = requests.post(
        server.url(f"{API}/images/push"),
        headers=server.auth,
        json={"image": LOCAL_IMAGE, "repository": repository, "tag": tag},
        timeout=300,
    )
    assert r.status_code == 201, r.text
    assert cli(server, "images", "show", f"{repository}:{tag}").returncode == 0

    done = cli(server, "images", "delete", f"{repository}:{tag}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"deleted {repository}:{tag}"
    gone = cli(server, "images", "show", f"{repository}:{tag}")
    assert gone.returncode == 2
    assert gone.stderr.startswith("conveyor: ")
    assert f"{repository}:{tag}" not in cli(server, "images", "-q", repository).stdout


def test_bad_input_exits_2_with_the_servers_message(server: JupyterServer, base: dict[str, Any]) -> None:
    latest = cli(server, "images", "default", "shared/base:latest")
    assert latest.returncode == 2
    assert latest.stderr.strip() == 'conveyor: The default image may not be a "latest" tag'

    build = cli(server, "images", "build", "--base", base["ref"], "--name", "Bad Name", "--version", "1.0.0")
    assert build.returncode == 2
    assert build.stderr.splitlines() == [
        "conveyor: The request body does not match the schema",
        '  /name: must match pattern "^[a-z0-9]+(?:[._-][a-z0-9]+)*$"',
    ]

    other = cli(server, "images", "delete", f"users/someoneelse{rand()}/x:0.0.1-b{rand()}")
    assert other.returncode == 2
    assert "belongs to" in other.stderr

    usage = cli(server, "images", "show", "shared/base")
    assert usage.returncode == 2
    assert "is not REPOSITORY:TAG" in usage.stderr


def test_build_with_a_pip_package_follows_the_log_to_the_pushed_tag(
    server: JupyterServer, base: dict[str, Any]
) -> None:
    name = f"cli{rand()}"
    done = cli(
        server, "images", "build", "--base", base["ref"], "--name", name, "--version", "0.1.0",
        "--pip", "six==1.16.0", timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ref = done.stdout.strip()
    assert ref.startswith(f"{REGISTRY}/users/") and f"/{name}:0.1.0-b" in ref
    assert "six" in done.stderr and done.stderr.startswith("build bld-")  # the followed log
    repository_tag = ref[len(REGISTRY) + 1 :]
    try:
        found = cli(server, "images", "--package", "six 1.16")
        row = next(r for r in found.stdout.splitlines() if r.startswith(repository_tag + " "))
        assert "six==1.16.0" in row
        show = cli(server, "images", "show", ref)
        assert "  six==1.16.0" in show.stdout.splitlines()
    finally:
        assert cli(server, "images", "delete", ref).returncode == 0


def test_a_failing_build_exits_1_with_the_last_log_lines(server: JupyterServer, base: dict[str, Any]) -> None:
    missing = f"conveyor-no-such-package-{rand()}==0.0.1"
    done = cli(
        server, "images", "build", "--base", base["ref"], "--name", f"cli{rand()}", "--version", "0.1.0",
        "--pip", missing, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    failure = done.stderr[done.stderr.index("conveyor: build bld-") :]
    assert " failed: " in failure.splitlines()[0]
    assert any(line.startswith("  ") for line in failure.splitlines()[1:])  # the log's tail
