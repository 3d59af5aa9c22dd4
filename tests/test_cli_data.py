"""``conveyor data`` as a user runs it: a subprocess against a real Jupyter server and companion."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from servers import JupyterServer, jupyter_env

from jupyterlab_conveyor.cli.data import progress_line


def conveyor(
    server: JupyterServer, *args: str, cwd: Path, tty: bool = False, discover: bool = False
) -> subprocess.CompletedProcess[str]:
    """``conveyor ARGS`` in ``cwd``; with ``tty`` its stderr is a terminal (the live progress bar).
    Unless ``discover``, the server is named with --url/--token/--workspace (no Jupyter lookup)."""
    env = jupyter_env(server.home)
    env["JUPYTER_RUNTIME_DIR"] = str(server.home / "runtime")
    if not discover:
        args = (
            "--url",
            server.base,
            "--token",
            server.token,
            "--workspace",
            str(server.home / "root"),
            *args,
        )
    if not tty:
        done = subprocess.run(
            [sys.executable, "-m", "jupyterlab_conveyor.cli", *args],
            cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert "Traceback" not in done.stderr, done.stderr
        return done
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab_conveyor.cli", *args],
        cwd=str(cwd), env={**env, "PYTHONIOENCODING": "utf-8"},
        stdout=subprocess.PIPE, stderr=follower, text=True,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.stdout.read() if proc.stdout else ""
    code = proc.wait(timeout=120)
    os.close(leader)
    return subprocess.CompletedProcess(proc.args, code, out, b"".join(chunks).decode(errors="replace"))


def test_progress_line_shows_bytes_and_files() -> None:
    line = progress_line({"files": 5, "bytes": 512 * 1024, "totalFiles": 10, "totalBytes": 1024 * 1024})
    assert line == "[############------------]  50%  512.0 KiB / 1.0 MiB  5 / 10 files"


def test_add_list_log_tag_and_diff(jupyter: JupyterServer) -> None:
    root = jupyter.home / "root"
    data = root / "project" / "images"
    data.mkdir(parents=True)
    for i in range(40):
        (data / f"img{i:02}.bin").write_bytes(bytes([i]) * 20_000)
    cwd = root / "project"

    first = conveyor(
        jupyter,
        "data",
        "add",
        "images",
        "--name",
        "pics",
        "-m",
        "first cut",
        "-t",
        "v1",
        cwd=cwd,
        tty=True,
        discover=True,
    )
    assert first.returncode == 0, first.stderr
    assert "[########################] 100%" in first.stderr  # the live bar, drawn on the terminal
    assert "added " in first.stdout and "[v1]: 40 files, 781.2 KiB" in first.stdout
    again = conveyor(jupyter, "data", "add", "images", "--name", "pics", cwd=cwd)
    assert again.stdout.startswith("unchanged: already "), again.stdout
    assert again.stderr == ""  # no bar when stderr is not a terminal

    (data / "img00.bin").write_bytes(b"changed")
    (data / "img39.bin").unlink()
    (data / "new.bin").write_bytes(b"new")
    second = conveyor(jupyter, "data", "add", "images", "--name", "pics", "-m", "second", "--json", cwd=cwd)
    v2 = json.loads(second.stdout)
    assert v2["files"] == 40 and v2["message"] == "second"

    listing = conveyor(jupyter, "data", "list", cwd=cwd)
    assert "/pics" in listing.stdout and v2["id"] in listing.stdout, listing.stdout
    log = conveyor(jupyter, "data", "log", "pics", cwd=cwd)
    assert log.stdout.index(v2["id"]) < log.stdout.index("(v1)"), log.stdout
    assert "first cut" in log.stdout

    tagged = conveyor(jupyter, "data", "tag", "pics", "prod", cwd=cwd)
    assert tagged.stdout.strip().endswith(f"@{v2['id']}"), tagged.stdout
    diff = conveyor(jupyter, "data", "diff", "pics", "v1", "prod", cwd=cwd)
    assert diff.stdout.splitlines() == [
        "A  new.bin",
        "D  img39.bin",
        "M  img00.bin",
        "1 added, 1 removed, 1 changed, 38 unchanged",
    ]

    outside = conveyor(jupyter, "data", "add", "/etc", "--name", "etc", cwd=cwd)
    assert outside.returncode == 2 and "outside the workspace" in outside.stderr
    missing = conveyor(jupyter, "data", "log", "nobody/nothing", cwd=cwd)
    assert missing.returncode == 2 and "No dataset nobody/nothing" in missing.stderr
