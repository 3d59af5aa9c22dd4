"""Hatch build hook: ship the Node companion server inside the wheel.

For a wheel it runs ``npm --prefix server ci`` (when ``server/node_modules`` is missing) and
``npm --prefix server run build``, then adds to the wheel (``force_include``, nothing is copied
into the source tree) under ``jupyterlab_conveyor/companion/``:

- ``server/dist/*`` (the esbuild bundle ``conveyor-server.js``);
- the runtime files of ``better-sqlite3`` (a native addon, so it is not bundled) and of its
  dependencies ``bindings`` and ``file-uri-to-path``, into ``companion/node_modules/``;
- likewise ``@duckdb/node-api`` (the table engine of datasets), ``@duckdb/node-bindings``, its
  ``detect-libc`` and the installed platform package ``@duckdb/node-bindings-<os>-<arch>[-musl]``
  (``duckdb.node`` and ``libduckdb``).

It also ships ``install.json`` as ``share/jupyter/labextensions/jupyterlab-conveyor/install.json``,
unless the labextension build already put a copy in ``jupyterlab_conveyor/labextension/`` (shipped
by the shared-data entry of the labextension): the two must then be identical.

The native addon makes the wheel platform-specific, so the wheel is tagged ``py3-none-<platform>``.
``CONVEYOR_WHEEL_WITHOUT_COMPANION=1`` leaves the companion out (a pure-Python wheel: the workspace
image's, whose server extension runs in workspace mode). An editable install only builds the
bundle: the package then runs ``server/dist/conveyor-server.js`` from the checkout.
``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` (or ``SKIP_JUPYTER_BUILDER=1``) skips every npm command, as
it does for the labextension; the files are still packed when they exist.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

COMPANION_DIR = Path("jupyterlab_conveyor") / "companion"
LABEXTENSION_DEST = "share/jupyter/labextensions/jupyterlab-conveyor"
BUNDLE = "conveyor-server.js"
# Runtime files only: the C sources of SQLite (deps/, src/) are not needed once compiled.
NATIVE_MODULES: dict[str, tuple[str, ...]] = {
    "better-sqlite3": ("package.json", "lib", "build/Release/better_sqlite3.node"),
    "bindings": ("package.json", "bindings.js"),
    "file-uri-to-path": ("package.json", "index.js"),
    "@duckdb/node-api": ("package.json", "lib"),
    "@duckdb/node-bindings": ("package.json", "duckdb.js"),
    "detect-libc": ("package.json", "lib"),
}
# npm installs only the binding of the build machine's platform: ship whichever is there.
DUCKDB_BINDINGS = "@duckdb/node-bindings-*"


def duckdb_binding_modules(node_modules: Path) -> dict[str, tuple[str, ...]]:
    """``{module: runtime files}`` of the installed ``@duckdb/node-bindings-<platform>`` packages."""
    found = {}
    for source in sorted(node_modules.glob(DUCKDB_BINDINGS)):
        runtime = (
            p.name
            for p in source.iterdir()
            if p.name.startswith(("package.json", "duckdb.node", "libduckdb"))
        )
        found[f"@duckdb/{source.name}"] = tuple(sorted(runtime))
    if not found:
        raise RuntimeError(f"no {DUCKDB_BINDINGS} in {node_modules}: run `npm --prefix server ci`")
    return found


def _skip_npm() -> bool:
    return os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1" or bool(
        os.environ.get("SKIP_JUPYTER_BUILDER")
    )


def _npm(root: Path, *args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to build the Conveyor companion server (install Node.js >= 20)")
    subprocess.run([npm, "--prefix", str(root / "server"), *args], cwd=root, check=True)  # noqa: S603


def build_companion(root: Path) -> None:
    """``npm --prefix server [ci &&] run build``."""
    if not (root / "server" / "node_modules").is_dir():
        _npm(root, "ci")
    _npm(root, "run", "build")


def companion_files(root: Path) -> dict[str, str]:
    """``{source path: path in the wheel}`` for the bundle and the native modules."""
    dist = root / "server" / "dist"
    if not (dist / BUNDLE).is_file():
        raise RuntimeError(f"{dist / BUNDLE} is missing: run `npm --prefix server run build`")
    files = {str(p): (COMPANION_DIR / p.name).as_posix() for p in sorted(dist.iterdir())}
    node_modules = root / "server" / "node_modules"
    for module, entries in {**NATIVE_MODULES, **duckdb_binding_modules(node_modules)}.items():
        source = node_modules / module
        if not source.is_dir():
            raise RuntimeError(f"{source} is missing: run `npm --prefix server ci`")
        licenses = tuple(p.name for p in source.glob("LICENSE*"))
        for entry in entries + licenses:
            src = source / entry
            if not src.exists():
                raise RuntimeError(f"{src} is missing from {module}: reinstall server dependencies")
            files[str(src)] = (COMPANION_DIR / "node_modules" / module / entry).as_posix()
    return files


def install_json_data(root: Path) -> dict[str, str]:
    """The shared-data entry of ``install.json``, unless the labextension output carries it."""
    source = root / "install.json"
    built = root / "jupyterlab_conveyor" / "labextension" / "install.json"
    if built.is_file():
        if json.loads(built.read_text()) != json.loads(source.read_text()):
            raise RuntimeError(f"{built} differs from {source}: rebuild the labextension")
        return {}
    return {str(source): f"{LABEXTENSION_DEST}/install.json"}


def platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


class CustomBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        if not _skip_npm():
            build_companion(root)
        if version == "editable":
            return
        build_data["shared_data"].update(install_json_data(root))
        if os.environ.get("CONVEYOR_WHEEL_WITHOUT_COMPANION") == "1":
            # The managed-workspace image (images/workspace/): labextension and server extension only.
            self.app.display_info("Conveyor companion server left out (CONVEYOR_WHEEL_WITHOUT_COMPANION=1)")
            return
        build_data["force_include"].update(companion_files(root))
        self.app.display_info(f"Conveyor companion server packed into {COMPANION_DIR}")
        build_data["pure_python"] = False
        build_data["tag"] = f"py3-none-{platform_tag()}"
