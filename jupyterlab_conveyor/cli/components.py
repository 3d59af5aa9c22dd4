"""``conveyor components`` and ``conveyor templates``: the component catalog, publishing, Kubeflow
Pipelines import and pipeline templates (server/src/components/routes.ts; see docs/components.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

from .client import Api, CliError
from .inputs import workspace_path


def add_parser(sub: Any) -> None:
    """``conveyor components [list options] | show | publish | import-kfp`` and ``conveyor templates``."""
    p = sub.add_parser("components", help="list, show, publish and import pipeline components")
    _json(p)
    p.add_argument("-q", "--query", help="only components whose ref, description or tags contain this text")
    p.add_argument("--tag", help="only components with this tag")
    p.set_defaults(func=cmd_list)
    components = p.add_subparsers(dest="components_command", metavar="COMPONENTS_COMMAND")

    s = components.add_parser("show", help="a component's versions, or one version (NAME@VERSION)")
    _json(s)
    s.add_argument("ref", metavar="NAME[@VERSION]")
    s.set_defaults(func=cmd_show)

    s = components.add_parser("publish", help="publish a component file (.yaml/.json) to your namespace")
    _json(s)
    s.add_argument("file", type=Path)
    s.add_argument("--shared", action="store_true", help="publish to shared/ (admins)")
    s.set_defaults(func=cmd_publish)

    s = components.add_parser("import-kfp", help="convert a Kubeflow Pipelines component.yaml")
    s.add_argument("file", type=Path)
    s.add_argument("--name", help="the component's name (default: from the KFP name)")
    s.add_argument("--version", metavar="X.Y.Z", help="its version (default 1.0.0)")
    s.add_argument("-o", "--output", type=Path, help="write the component file here (default: stdout)")
    s.add_argument("--publish", action="store_true", help="also publish it to your namespace")
    s.set_defaults(func=cmd_import_kfp)

    t = sub.add_parser("templates", help="list pipeline templates, or write one as a pipeline file")
    _json(t)
    t.set_defaults(func=cmd_templates)
    templates = t.add_subparsers(dest="templates_command", metavar="TEMPLATES_COMMAND")
    s = templates.add_parser("new", help="write template ID as a pipeline file")
    s.add_argument("id")
    s.add_argument("path", help="the pipeline file to write (.yaml); never overwritten")
    s.add_argument("--name", help="the pipeline's name")
    s.add_argument(
        "--slot", action="append", default=[], metavar="STEP=REF", help="put component REF in slot STEP"
    )
    s.set_defaults(func=cmd_template_new)


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON")


def _ports(spec: dict[str, Any], side: str) -> str:
    return ", ".join(f"{p['name']}:{p.get('paramType') or p['type']}" for p in spec.get(side) or []) or "-"


def cmd_list(args: argparse.Namespace, api: Api) -> int:
    query = {k: v for k, v in {"q": args.query, "tag": args.tag}.items() if v}
    result = api.get("/components", **query)
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
        return 0
    rows = [[c["ref"], c["source"], (c["spec"].get("description") or "")[:60]] for c in result["components"]]
    width = max([len("COMPONENT")] + [len(r[0]) for r in rows])
    print(f"{'COMPONENT':<{width}}  {'SOURCE':<9}  DESCRIPTION")
    for ref, source, description in rows:
        print(f"{ref:<{width}}  {source:<9}  {description}")
    for problem in result.get("errors") or []:
        print(f"warning: {problem['path']}: {problem['message']}")
    return 0


def cmd_show(args: argparse.Namespace, api: Api) -> int:
    name, _, version = args.ref.rpartition("@") if "@" in args.ref else (args.ref, "", "")
    if version:
        entries = [api.get(f"/components/{name}/{version}")]
    else:
        entries = api.get(f"/components/{args.ref}")["components"]
    if getattr(args, "json", False):
        print(json.dumps(entries if not version else entries[0], indent=2))
        return 0
    first = entries[0]
    spec = first["spec"]
    print(f"{first['ref']} ({first['source']}): {spec.get('description', '')}")
    print(f"versions: {', '.join(first['versions'])}")
    print(f"inputs:   {_ports(spec, 'inputs')}")
    print(f"outputs:  {_ports(spec, 'outputs')}")
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise CliError(f"{path}: {err.strerror or err}") from None


def cmd_publish(args: argparse.Namespace, api: Api) -> int:
    try:
        spec = yaml.safe_load(_read(args.file))
    except yaml.YAMLError as err:
        raise CliError(f"{args.file} is not valid YAML or JSON: {err}") from None
    entry = api.post("/components", {"spec": spec, "shared": bool(args.shared)})
    if getattr(args, "json", False):
        print(json.dumps(entry, indent=2))
    else:
        print(f"published {entry['ref']}")
    return 0


def cmd_import_kfp(args: argparse.Namespace, api: Api) -> int:
    body: dict[str, Any] = {"yaml": _read(args.file), "publish": bool(args.publish)}
    if args.name:
        body["name"] = args.name
    if args.version:
        body["version"] = args.version
    result = api.post("/components/import/kfp", body)
    text = yaml.safe_dump(result["spec"], sort_keys=False, allow_unicode=True)
    if args.output:
        if args.output.exists():
            raise CliError(f"{args.output} already exists")
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {result['spec']['name']}@{result['spec']['version']}")
    else:
        print(text, end="")
    if result.get("published"):
        print(f"published {result['published']['ref']}")
    return 0


def cmd_templates(args: argparse.Namespace, api: Api) -> int:
    result = api.get("/pipeline-templates")
    if getattr(args, "json", False):
        print(json.dumps(result, indent=2))
        return 0
    for t in result["templates"]:
        slots = ", ".join(f"{s['step']}={s['default']}" for s in t["slots"])
        print(f"{t['id']}: {t['name']} (slots: {slots})")
    return 0


def cmd_template_new(args: argparse.Namespace, api: Api) -> int:
    slots = {}
    for item in args.slot:
        step, eq, ref = item.partition("=")
        if not eq or not step or not ref:
            raise CliError(f"--slot {item}: give STEP=REF (e.g. train=users/me/train-xgb@1.0.0)")
        slots[step] = ref
    body: dict[str, Any] = {"path": workspace_path(args.path, api.connection.root_dir, must_exist=False), "slots": slots}
    if args.name:
        body["name"] = args.name
    result = api.post(f"/pipeline-templates/{args.id}/instantiate", body)
    print(f"wrote {args.path}: pipeline {result['pipeline']['name']!r}, {len(result['pipeline']['steps'])} steps")
    return 0
