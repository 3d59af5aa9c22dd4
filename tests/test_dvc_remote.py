"""The real ``dvc`` CLI against Conveyor's dataset store: as an authenticated HTTP remote through
the Jupyter proxy, and as a local-path remote (the store folder itself). See docs/datasets.md."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from servers import JupyterServer

DVC = str(Path(sys.executable).with_name("dvc"))
API = "/conveyor/api/v1"


def sh(*args: str, cwd: Path) -> str:
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r.stdout


def dvc_project(path: Path, remote: str = "", url: str = "", token: str = "") -> Path:
    """A DVC project without git (what `dvc init --no-scm` plus `dvc remote add/modify` write)."""
    (path / ".dvc").mkdir(parents=True)
    config = "[core]\n    no_scm = True\n    analytics = false\n"
    if remote:
        config += f"    remote = {remote}\n['remote \"{remote}\"']\n    url = {url}\n"
        if token:
            config += "    auth = custom\n    custom_auth_header = Authorization\n"
            (path / ".dvc" / "config.local").write_text(
                f"['remote \"{remote}\"']\n    password = token {token}\n"
            )
    (path / ".dvc" / "config").write_text(config)
    return path


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def out_md5(project: Path, name: str) -> str:
    return yaml.safe_load((project / f"{name}.dvc").read_text())["outs"][0]["md5"]


def api(server: JupyterServer, method: str, path: str, **kw: object) -> requests.Response:
    return requests.request(method, server.url(API + path), headers=server.auth, timeout=60, **kw)  # type: ignore[arg-type]


FILES = {
    "train/a.csv": b"x,y\n1,2\n",
    "train/b.csv": b"x,y\n3,4\n",
    "images/cat one.png": os.urandom(5000),
    "README": b"tiny dataset\n",
}


@pytest.fixture(scope="module")
def user(jupyter: JupyterServer) -> str:
    return api(jupyter, "GET", "/status").json()["user"]["name"]


def conveyor_project(server: JupyterServer, path: Path, token: str) -> Path:
    return dvc_project(path, "conveyor", server.url("/conveyor/dvc"), token)


def test_dvc_push_and_pull_through_the_authenticated_http_remote(jupyter: JupyterServer, user: str) -> None:
    root = jupyter.home / "root"
    project = conveyor_project(jupyter, root / "http-proj", jupyter.token)
    write_tree(project / "data", FILES)
    write_tree(project / "holdout", {"labels.csv": b"id,label\n1,cat\n2,dog\n"})
    sh(DVC, "add", "-q", "data", "holdout", cwd=project)
    md5, holdout = out_md5(project, "data"), out_md5(project, "holdout")
    assert "pushed" in sh(DVC, "push", cwd=project)

    r = api(
        jupyter, "POST", "/datasets/versions", json={"name": "from-dvc", "md5": md5, "message": "dvc push"}
    )
    assert r.status_code == 201, r.text
    version = r.json()
    assert (version["md5"], version["files"], version["bytes"]) == (md5, 4, sum(map(len, FILES.values())))
    got = api(jupyter, "GET", f"/datasets/{user}/from-dvc/versions/{version['id']}/files/images/cat one.png")
    assert got.status_code == 200, got.text
    assert got.content == FILES["images/cat one.png"]
    r = api(jupyter, "POST", "/datasets/versions", json={"name": "holdout", "md5": holdout, "blinded": True})
    assert r.status_code == 201, r.text

    # A clone without cache or data gets the version back from Conveyor, but not the blinded one.
    clone = conveyor_project(jupyter, root / "http-clone", jupyter.token)
    for name in ("data", "holdout"):
        shutil.copy(project / f"{name}.dvc", clone / f"{name}.dvc")
    pulled = subprocess.run([DVC, "pull"], cwd=clone, capture_output=True, text=True, timeout=120)
    assert pulled.returncode != 0, pulled.stdout
    assert read_tree(clone / "data") == FILES
    assert not (clone / "holdout" / "labels.csv").exists()

    # With a wrong token the remote refuses everything.
    nocreds = conveyor_project(jupyter, root / "http-nocreds", "wrong-token")
    shutil.copy(project / "data.dvc", nocreds / "data.dvc")
    refused = subprocess.run([DVC, "pull"], cwd=nocreds, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert not (nocreds / "data").exists()


def test_the_store_is_a_local_dvc_remote_both_ways(jupyter: JupyterServer, user: str) -> None:
    root = jupyter.home / "root"
    store = Path(jupyter.companion_info()["dataDir"]) / "datasets" / "store"

    # Conveyor → DVC: a version added through the API is pulled by DVC from the store folder.
    write_tree(root / "shots", {"a.txt": b"alpha\n", "deep/b.txt": b"beta\n"})
    version = api(jupyter, "POST", "/datasets/versions", json={"name": "shots", "path": "shots"}).json()
    project = dvc_project(root / "local-proj", "store", str(store))
    (project / "shots.dvc").write_text(
        yaml.safe_dump({"outs": [{"md5": version["md5"], "hash": "md5", "path": "shots"}]})
    )
    sh(DVC, "pull", cwd=project)
    assert read_tree(project / "shots") == {"a.txt": b"alpha\n", "deep/b.txt": b"beta\n"}

    # DVC → Conveyor: dvc add + push into the store folder, register the tree, diff with the first.
    (project / "shots" / "a.txt").write_bytes(b"alpha 2\n")
    (project / "shots" / "c.txt").write_bytes(b"gamma\n")
    sh(DVC, "add", "-q", "shots", cwd=project)
    sh(DVC, "push", cwd=project)
    md5 = out_md5(project, "shots")
    assert (store / "files" / "md5" / md5[:2] / md5[2:]).is_file()
    v2 = api(jupyter, "POST", "/datasets/versions", json={"name": "shots", "md5": md5}).json()
    assert v2["parents"] == [version["id"]]
    diff = api(
        jupyter, "GET", f"/datasets/{user}/shots/diff", params={"from": version["id"], "to": v2["id"]}
    ).json()
    assert [f["path"] for f in diff["files"]["added"]] == ["c.txt"]
    assert diff["files"]["changed"] == [
        {
            "path": "a.txt",
            "from": hashlib.md5(b"alpha\n").hexdigest(),
            "to": hashlib.md5(b"alpha 2\n").hexdigest(),
        }
    ]
