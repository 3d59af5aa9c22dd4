"""``conveyor data``: register workspace folders and files as dataset versions, list datasets,
show a dataset's versions, diff two versions, move tags (the ``/datasets`` routes of
server/src/datasets/routes.ts; see docs/datasets.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from .client import Api, CliError, _http_error
from .inputs import workspace_path
from .output import Printer, local_time, table

BAR_WIDTH = 24


def add_parser(sub: Any) -> None:
    """``conveyor data add | list | log | diff | tag``."""
    p = sub.add_parser("data", help="version folders and files as datasets (add, list, log, diff, tag)")
    data = p.add_subparsers(dest="data_command", metavar="DATA_COMMAND")
    data.required = True

    s = data.add_parser("add", help="register a workspace folder or file as a new version of dataset NAME")
    _json(s)
    s.add_argument("path", help="folder or file inside the workspace")
    s.add_argument("--name", "-n", required=True, help="dataset name (yours; created on first add)")
    s.add_argument("--message", "-m", default="", help="what changed in this version")
    s.add_argument(
        "--tag", "-t", action="append", default=[], metavar="TAG", help="tag the version (repeatable)"
    )
    s.add_argument(
        "--blinded", action="store_true", help="a test set: its contents can only be read by approved steps"
    )
    s.add_argument(
        "--table", action="store_true", help="a CSV/Parquet file versioned as a table (row-level diffs)"
    )
    s.add_argument(
        "--key", action="append", default=[], metavar="COLUMN", help="table key column (repeatable)"
    )
    s.set_defaults(func=cmd_add)

    s = data.add_parser("list", help="datasets you own or that are shared with you")
    _json(s)
    s.set_defaults(func=cmd_list)

    s = data.add_parser("log", help="a dataset's versions, newest first")
    _json(s)
    s.add_argument("name", metavar="[OWNER/]NAME")
    s.set_defaults(func=cmd_log)

    s = data.add_parser("diff", help="files added, removed and changed between two versions")
    _json(s)
    s.add_argument("name", metavar="[OWNER/]NAME")
    s.add_argument("old", metavar="FROM", help="version id or tag")
    s.add_argument("new", metavar="TO", help="version id or tag")
    s.set_defaults(func=cmd_diff)

    s = data.add_parser("tag", help="point TAG at a version (or remove it with --delete)")
    _json(s)
    s.add_argument("name", metavar="[OWNER/]NAME")
    s.add_argument("tag", metavar="TAG")
    s.add_argument("ref", nargs="?", metavar="VERSION", help="version id or tag (default: the latest)")
    s.add_argument("--delete", action="store_true", help="remove the tag")
    s.set_defaults(func=cmd_tag)


def _json(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: without the flag here, `conveyor --json data …` keeps the global value.
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON")


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def progress_line(event: dict[str, Any]) -> str:
    """``[#####-----]  42%  1.2 GiB / 2.0 GiB  4,200 / 10,001 files``."""
    total, done = int(event.get("totalBytes") or 0), int(event.get("bytes") or 0)
    ratio = done / total if total else 1.0
    filled = int(BAR_WIDTH * ratio)
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    files = f"{int(event.get('files') or 0):,} / {int(event.get('totalFiles') or 0):,} files"
    return f"[{bar}] {ratio * 100:3.0f}%  {human_bytes(done)} / {human_bytes(total)}  {files}"


def _split(name: str) -> tuple[str | None, str]:
    owner, sep, rest = name.partition("/")
    if sep and rest and "/" not in rest:
        return owner, rest
    if sep:
        raise CliError(f"{name!r} is not NAME or OWNER/NAME")
    return None, name


def _dataset_path(api: Api, name: str) -> str:
    """``/datasets/<owner>/<name>``; a bare name is the caller's own dataset."""
    owner, ds = _split(name)
    if owner is None:
        owner = ((api.get("/status") or {}).get("user") or {}).get("name")
        if not owner:
            raise CliError("cannot tell who you are on this server: name the dataset as OWNER/NAME")
    return f"/datasets/{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(ds, safe='')}"


def _stream_add(api: Api, body: dict[str, Any], printer: Printer) -> dict[str, Any]:
    """POST /datasets/versions with NDJSON progress: a live bar on terminals, the result at the end."""
    connection = api.connection
    req = urllib.request.Request(
        connection.api + "/datasets/versions", data=json.dumps(body).encode(), method="POST"
    )
    req.add_header("Content-Type", "application/json")
    req.add_header("Accept", "application/x-ndjson")
    if connection.authorization:
        req.add_header("Authorization", connection.authorization)
    done: dict[str, Any] | None = None
    try:
        with urllib.request.urlopen(req, timeout=None) as response:
            ctype = response.headers.get("Content-Type", "")
            if "ndjson" not in ctype:  # an answer without progress (e.g. a proxy that buffers)
                return {"type": "done", "version": json.loads(response.read())}
            for raw in response:
                if not raw.strip():
                    continue
                event = json.loads(raw)
                if event.get("type") == "progress":
                    printer.status(progress_line(event))
                elif event.get("type") == "done":
                    done = event
                elif event.get("type") == "error":
                    error = event.get("error") or {}
                    raise CliError(str(error.get("message") or "adding failed"), details=error.get("details"),
                                   error_code=str(error.get("code") or ""))  # fmt: skip
    except urllib.error.HTTPError as e:
        raise _http_error(e, connection) from None
    except urllib.error.URLError as e:
        raise CliError(f"cannot reach {connection.url} ({connection.source}): {e.reason}") from None
    finally:
        printer.clear_status()
    if done is None:
        raise CliError("the server ended the add without a result; run the command again")
    return done


def cmd_add(args: argparse.Namespace, api: Api) -> int:
    body: dict[str, Any] = {
        "name": args.name,
        "path": workspace_path(args.path, api.connection.root_dir),
        "message": args.message,
    }
    if args.tag:
        body["tags"] = args.tag
    if args.blinded:
        body["blinded"] = True
    if args.table or args.key:
        body["table"] = {"key": args.key} if args.key else {}
    printer = Printer(sys.stderr)
    started = time.monotonic()
    result = _stream_add(api, body, printer)
    version = result["version"]
    if getattr(args, "json", False):
        print(json.dumps(version, indent=2))
        return 0
    seconds = time.monotonic() - started
    what = "unchanged: already" if result.get("unchanged") else "added"
    tags = f" [{', '.join(version.get('tags') or [])}]" if version.get("tags") else ""
    print(f"{what} {version['dataset']}@{version['id']}{tags}: {version['files']:,} files,"
          f" {human_bytes(version['bytes'])} in {seconds:.1f} s")  # fmt: skip
    print(f"  dataset://{version['dataset']}@{version['id']}")
    return 0


def cmd_list(args: argparse.Namespace, api: Api) -> int:
    result = api.get("/datasets")
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
        return 0
    rows = []
    for d in result.get("datasets") or []:
        latest = d.get("latest") or {}
        rows.append([f"{d['owner']}/{d['name']}", str(d.get("versionCount", 0)), latest.get("id", "-"),
                     f"{latest.get('files', 0):,}", human_bytes(latest.get("bytes", 0)),
                     ", ".join(sorted(d.get("tags") or {})), local_time(d.get("updatedAt"))])  # fmt: skip
    if not rows:
        print("no datasets yet: conveyor data add <folder> --name <dataset>")
        return 0
    print(table(rows, ["DATASET", "VERSIONS", "LATEST", "FILES", "SIZE", "TAGS", "UPDATED"]))
    return 0


def cmd_log(args: argparse.Namespace, api: Api) -> int:
    result = api.get(_dataset_path(api, args.name))
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
        return 0
    for v in result.get("versions") or []:
        tags = f" ({', '.join(v['tags'])})" if v.get("tags") else ""
        flags = " [blinded]" if v.get("blinded") else ""
        print(f"version {v['id']}{tags}{flags}")
        print(f"  author  {v['author']}   {local_time(v.get('createdAt'))}")
        print(f"  files   {v['files']:,}, {human_bytes(v['bytes'])}   {v['md5']}")
        if v.get("parents"):
            print(f"  parents {' '.join(v['parents'])}")
        if v.get("message"):
            print(f"  {v['message']}")
        print()
    return 0


def cmd_diff(args: argparse.Namespace, api: Api) -> int:
    path = _dataset_path(api, args.name)
    result = api.get(path + "/diff", **{"from": args.old, "to": args.new})
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
        return 0
    files = result["files"]
    for f in files["added"]:
        print(f"A  {f['path']}")
    for f in files["removed"]:
        print(f"D  {f['path']}")
    for f in files["changed"]:
        print(f"M  {f['path']}")
    print(f"{len(files['added'])} added, {len(files['removed'])} removed, {len(files['changed'])} changed,"
          f" {files['unchanged']} unchanged")  # fmt: skip
    return 0


def cmd_tag(args: argparse.Namespace, api: Api) -> int:
    path = _dataset_path(api, args.name) + "/tags/" + urllib.parse.quote(args.tag, safe="")
    if args.delete:
        api.request("DELETE", path)
        print(f"removed tag {args.tag}")
        return 0
    ref = args.ref
    if ref is None:
        versions = api.get(_dataset_path(api, args.name)).get("versions") or []
        if not versions:
            raise CliError(f"{args.name} has no versions")
        ref = versions[0]["id"]
    version = api.request("PUT", path, {"version": ref})
    if getattr(args, "json", False):
        print(json.dumps(version, indent=2))
        return 0
    print(f"{args.tag} → {version['dataset']}@{version['id']}")
    return 0
