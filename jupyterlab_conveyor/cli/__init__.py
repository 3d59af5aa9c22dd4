"""``conveyor``: run notebooks and pipelines on Conveyor from a terminal.

Connection: ``--url``/``--token``, else ``CONVEYOR_URL``/``CONVEYOR_TOKEN``, else the running
Jupyter server whose root folder holds the current directory (else the newest one). See docs/cli.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .. import __version__
from . import commands, components, data, images
from .client import Api, CliError, discover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conveyor",
        description="Run notebooks and pipelines in containers on Conveyor.",
    )
    parser.add_argument("--version", action="version", version=f"conveyor {__version__}")
    parser.add_argument("--url", help="Jupyter base URL or team-mode Conveyor URL (default: $CONVEYOR_URL)")
    parser.add_argument("--token", help="Jupyter token or Conveyor API token (default: $CONVEYOR_TOKEN)")
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="the server's workspace folder, for converting paths (default: the Jupyter server's root_dir)",
    )
    parser.add_argument("--json", action="store_true", help="print API responses as JSON")
    parser.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("status", help="show which server the CLI talks to and its state")
    p.set_defaults(func=commands.cmd_status)

    p = sub.add_parser("run", help="run a pipeline or a notebook and follow it")
    p.add_argument("path", help="pipeline (.yaml, .yml, .json, Elyra .pipeline) or notebook (.ipynb)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="parameter (value parsed as YAML: 0.1 is a float, true a bool); repeatable",
    )
    p.add_argument(
        "--sweep",
        action="append",
        metavar="NAME=V1,V2",
        help="sweep a parameter over values (grid with the other --sweep); repeatable",
    )
    p.add_argument("--max-parallel", type=_positive, metavar="N", help="sweep: at most N child runs at once")
    p.add_argument("--no-cache", action="store_true", help="run every step even if an identical run exists")
    p.add_argument("--experiment", metavar="E", help="track the run under experiment E")
    p.add_argument("--name", help="run name")
    p.add_argument("--image", help="notebook only: the image to run it in")
    p.add_argument("--detach", "-d", action="store_true", help="print the run id and return")
    p.set_defaults(func=commands.cmd_run)

    p = sub.add_parser("runs", help="list runs, newest first")
    p.add_argument("--status", choices=["queued", "running", "succeeded", "failed", "cancelled"])
    p.add_argument("--limit", type=_positive, default=20)
    p.add_argument("-q", "--query", help="text to search run names for")
    p.set_defaults(func=commands.cmd_runs)

    p = sub.add_parser("show", help="show a run and its steps")
    p.add_argument("run")
    p.set_defaults(func=commands.cmd_show)

    p = sub.add_parser("logs", help="print a step's log")
    p.add_argument("run")
    p.add_argument("step")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing until the step ends")
    p.add_argument("--attempt", type=_positive, help="attempt number (default: the latest)")
    p.set_defaults(func=commands.cmd_logs)

    p = sub.add_parser("cancel", help="cancel a run")
    p.add_argument("run")
    p.set_defaults(func=commands.cmd_cancel)

    p = sub.add_parser("resume", help="re-run the failed and cancelled steps of a run, reusing the rest")
    p.add_argument("run")
    p.add_argument("--detach", "-d", action="store_true")
    p.set_defaults(func=commands.cmd_resume)

    p = sub.add_parser("rerun", help="run a run again with the same inputs")
    p.add_argument("run")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--detach", "-d", action="store_true")
    p.set_defaults(func=commands.cmd_rerun)

    p = sub.add_parser("validate", help="check a pipeline file: schema, notebooks, DAG")
    p.add_argument("path")
    p.set_defaults(func=commands.cmd_validate)

    p = sub.add_parser("import-elyra", help="convert an Elyra .pipeline file to a Conveyor pipeline")
    p.add_argument("path")
    p.add_argument("-o", "--output", required=True, help="the .yaml file to write (- for stdout)")
    p.set_defaults(func=commands.cmd_import_elyra)

    images.add_parser(sub)
    data.add_parser(sub)
    components.add_parser(sub)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def _details(details: Any) -> list[str]:
    """Readable lines for an error's details: a DAG cycle, or the fields a validation names."""
    if isinstance(details, dict):
        if isinstance(details.get("cycle"), list):
            return ["cycle: " + " → ".join(str(s) for s in details["cycle"])]
        lines = []
        for item in details.get("errors") or details.get("fields") or []:
            lines.extend(_details(item))
        if not lines and ("path" in details or "field" in details or "instancePath" in details):
            where = details.get("path") or details.get("field") or details.get("instancePath") or ""
            lines.append(f"{where}: {details.get('message', '')}".strip(": "))
        return lines
    if isinstance(details, list):
        return [line for item in details[:20] for line in _details(item)]
    return []


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        connection = discover(args.url, args.token, args.workspace)
        return int(args.func(args, Api(connection)))
    except CliError as e:
        print(f"conveyor: {e.message}", file=sys.stderr)
        for line in _details(e.details):
            if line.split(": ", 1)[-1] not in e.message:  # not what the message already says
                print(f"  {line}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
