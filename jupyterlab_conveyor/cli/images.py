"""``conveyor images``: list, show, build, delete registry images and get/set the default image
(the ``/images`` routes of server/src/registry/routes.ts; see docs/images.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from .client import Api, CliError
from .follow import quote
from .output import local_time, table

TERMINAL_BUILD = frozenset({"succeeded", "failed"})
FAILURE_TAIL = 20
LABEL_BUILD_ID = "io.conveyor.build-id"


def add_parser(sub: Any) -> None:
    """``conveyor images [list options] | show | build | delete | default``."""
    p = sub.add_parser("images", help="list, show, build and delete images; get or set the default image")
    _json(p)
    p.add_argument(
        "--package",
        metavar="'NAME [VERSION]'",
        help="only images with this package (xgboost, 'xgboost 2', xgboost==2.1)",
    )
    p.add_argument("-q", "--query", help="only images whose name contains this text")
    p.set_defaults(func=cmd_list)
    images = p.add_subparsers(dest="images_command", metavar="IMAGES_COMMAND")

    s = images.add_parser("show", help="one registry tag with its package lists")
    _json(s)
    s.add_argument("image", metavar="REPO:TAG")
    s.set_defaults(func=cmd_show)

    s = images.add_parser("build", help="build users/<you>/NAME from a registry image plus packages")
    _json(s)
    s.add_argument(
        "--base", required=True, metavar="REF", help="registry image to build from (shared/base:0.1.0-b…)"
    )
    s.add_argument("--name", required=True, help="image name: users/<you>/NAME")
    s.add_argument("--version", required=True, metavar="X.Y.Z")
    s.add_argument(
        "--pip", nargs="+", action="extend", default=[], metavar="PKG", help="pip requirements (six==1.16.0)"
    )
    s.add_argument("--apt", nargs="+", action="extend", default=[], metavar="PKG", help="Debian packages")
    s.add_argument("--detach", "-d", action="store_true", help="print the build id and return")
    s.set_defaults(func=cmd_build)

    s = images.add_parser("delete", help="delete one of your tags (admins: shared/ too)")
    s.add_argument("image", metavar="REPO:TAG")
    s.set_defaults(func=cmd_delete)

    s = images.add_parser("default", help="print your default image, or set it to REF")
    _json(s)
    s.add_argument("ref", nargs="?", metavar="REF")
    s.set_defaults(func=cmd_default)


def _json(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: without the flag here, `conveyor --json images …` keeps the global value.
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON")


def split_image(text: str) -> tuple[str, str]:
    """``[registry/]repo/sitory:tag`` → (repository, tag); the registry host part is dropped."""
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon <= slash or colon == len(text) - 1:
        raise CliError(f"{text!r} is not REPOSITORY:TAG (e.g. shared/base:0.1.0-b4e07ab735ea)")
    repository, tag = text[:colon], text[colon + 1 :]
    parts = repository.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        repository = "/".join(parts[1:])
    return repository, tag


def _tag_path(text: str) -> str:
    repository, tag = split_image(text)
    return "/images/" + "/".join(quote(p) for p in repository.split("/")) + "/tags/" + quote(tag)


def size_text(size: Any) -> str:
    value = float(size or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def _name(image: dict[str, Any]) -> str:
    if image.get("repository") and image.get("tag"):
        return f"{image['repository']}:{image['tag']}"
    return str(image.get("ref") or (image.get("tags") or [image.get("id", "")])[0])


def cmd_list(args: argparse.Namespace, api: Api) -> int:
    images = api.get("/images", q=args.query, package=args.package)
    if args.json:
        print(json.dumps(images, indent=2))
        return 0
    if not images:
        print("no images" + (" with that package" if args.package else ""))
        return 0
    rows = []
    for image in images:
        build_id = image.get("buildId") or (image.get("labels") or {}).get(LABEL_BUILD_ID, "")
        note = ["default"] if image.get("default") else []
        if image.get("source") == "engine":
            note.append("local")
        row = [_name(image), size_text(image.get("sizeBytes")), local_time(image.get("created")), build_id]
        if args.package:
            row.append(", ".join(image.get("matches") or []))
        rows.append([*row, " ".join(note)])
    header = ["IMAGE", "SIZE", "CREATED", "BUILD ID", *(["MATCHES"] if args.package else []), "NOTE"]
    print(table(rows, header))
    return 0


def cmd_show(args: argparse.Namespace, api: Api) -> int:
    tag = api.get(_tag_path(args.image))
    if args.json:
        print(json.dumps(tag, indent=2))
        return 0
    print(f"image      {tag['repository']}:{tag['tag']}")
    print(f"ref        {tag['ref']}")
    print(f"digest     {tag['digest']}")
    if tag.get("version"):
        print(f"version    {tag['version']}")
    print(f"build id   {tag.get('buildId', '')}")
    print(f"size       {size_text(tag.get('sizeBytes'))}")
    print(f"created    {local_time(tag.get('created'))}")
    packages = tag.get("packages") or {}
    for label, key in (("Python packages", "python"), ("Debian packages", "debian")):
        items = packages.get(key) or []
        print(f"\n{label} ({len(items)})")
        for item in items:
            print(f"  {item}")
    return 0


def cmd_build(args: argparse.Namespace, api: Api) -> int:
    body = {"base": args.base, "name": args.name, "version": args.version, "pip": args.pip, "apt": args.apt}
    build = api.post("/images/builds", body)
    build_id = build.get("buildId") or build["id"]
    if args.detach:
        print(json.dumps(build, indent=2) if args.json else build_id)
        return 0
    print(f"build {build_id}: {build['ref']}", file=sys.stderr)
    try:
        build, lines = _follow_build(api, build_id, args.interval)
    except KeyboardInterrupt:
        print(f"\nconveyor: stopped following; build {build_id} goes on on the server", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(build, indent=2))
    if build["status"] == "succeeded":
        if not args.json:
            print(build["ref"])
        return 0
    print(f"conveyor: build {build_id} failed: {build.get('error') or 'see its log'}", file=sys.stderr)
    for line in lines[-FAILURE_TAIL:]:
        print(f"  {line}", file=sys.stderr)
    return 1


def _follow_build(api: Api, build_id: str, interval: float) -> tuple[dict[str, Any], list[str]]:
    """Prints the build log to stderr as it grows; returns the finished build and all its lines."""
    path = f"/images/builds/{quote(build_id)}"
    seen: list[str] = []
    while True:
        page = api.get(f"{path}/log", **{"from": len(seen)})
        lines = page.get("lines") or []
        for line in lines:
            print(line, file=sys.stderr)
        sys.stderr.flush()
        seen.extend(lines)
        if page.get("status") in TERMINAL_BUILD and not lines:
            return api.get(path), seen
        if not lines:
            time.sleep(interval)


def cmd_delete(args: argparse.Namespace, api: Api) -> int:
    api.request("DELETE", _tag_path(args.image))
    repository, tag = split_image(args.image)
    print(f"deleted {repository}:{tag}")
    return 0


def cmd_default(args: argparse.Namespace, api: Api) -> int:
    if args.ref is None:
        answer = api.get("/images/default")
    else:
        answer = api.request("PUT", "/images/default", {"ref": args.ref})
    print(json.dumps(answer, indent=2) if args.json else answer["ref"])
    return 0
