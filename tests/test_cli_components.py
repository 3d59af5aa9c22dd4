"""``conveyor components`` and ``conveyor templates`` as a user runs them: a subprocess against a
real Jupyter server and the real companion (its built-in components and templates)."""

from __future__ import annotations

import subprocess

import yaml
from servers import JupyterServer
from test_cli import conveyor

KFP = """name: Scale values
inputs:
- {name: Table, type: CSV}
- {name: Factor, type: Float, default: '2.5'}
outputs:
- {name: Scaled, type: CSV}
implementation:
  container:
    image: conveyor/base:dev
    command: [python3, scale.py, {inputPath: Table}, {inputValue: Factor}, {outputPath: Scaled}]
"""

COMPONENT = """name: cli-trainer
version: 0.1.0
description: A trainer published from the CLI
inputs:
  - {name: train, type: dataset}
outputs:
  - {name: model.pkl, type: model}
implementation: {command: [python3, .component/t.py], files: {t.py: "print(1)"}}
"""


def cli(server: JupyterServer, *args: str) -> subprocess.CompletedProcess[str]:
    return conveyor(server, *args, cwd=server.home / "root", timeout=120)


def test_components_list_publish_import_and_templates(jupyter: JupyterServer) -> None:
    """Few calls (each CLI call is a process and a round trip): the server-side rules are in server/test/components.test.ts."""
    root = jupyter.home / "root"
    listed = cli(jupyter, "components", "--tag", "builtin")
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["COMPONENT", "SOURCE", "DESCRIPTION"]
    assert {r.split()[0] for r in rows} == {
        "batch-score@1.0.0",
        "evaluate-sklearn@1.0.0",
        "pick-best@1.0.0",
        "register-model@1.0.0",
        "split-table@1.0.0",
        "train-sklearn@1.0.0",
        "validate-table@1.0.0",
    }

    (root / "trainer.component.yaml").write_text(COMPONENT)
    published = cli(jupyter, "components", "publish", "trainer.component.yaml")
    assert published.returncode == 0, published.stderr
    ref = published.stdout.strip().removeprefix("published ")
    assert ref.startswith("users/") and ref.endswith("/cli-trainer@0.1.0")
    again = cli(jupyter, "components", "publish", "trainer.component.yaml")
    assert again.returncode != 0
    assert "already published" in again.stderr

    (root / "kfp.yaml").write_text(KFP)
    imported = cli(jupyter, "components", "import-kfp", "kfp.yaml", "--version", "2.0.0", "-o", "scale.component.yaml")
    assert imported.returncode == 0, imported.stderr
    spec = yaml.safe_load((root / "scale.component.yaml").read_text())
    assert spec["name"] == "scale-values" and spec["version"] == "2.0.0"
    assert spec["inputs"][1] == {"name": "factor", "type": "parameter", "paramType": "number", "default": 2.5}

    # A template with the published trainer in its train slot; the file validates (components expanded).
    made = cli(jupyter, "templates", "new", "train-evaluate-register", "ter.yaml", "--slot", f"train={ref}")
    assert made.returncode == 0, made.stderr
    assert "wrote ter.yaml: pipeline 'train-evaluate-register', 5 steps" in made.stdout
    steps = {s["name"]: s for s in yaml.safe_load((root / "ter.yaml").read_text())["steps"]}
    assert steps["train"]["component"] == ref
    valid = cli(jupyter, "validate", "ter.yaml")
    assert valid.returncode == 0, valid.stderr
    assert "order: validate → split → train → evaluate → register" in valid.stdout
