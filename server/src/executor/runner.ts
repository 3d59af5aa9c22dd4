import { META_DIR } from './job';

/** Where the notebook runner is copied in the step's working directory. */
export const RUNNER_FILE = `${META_DIR}/run_notebook.py`;

/**
 * Runs a notebook step like `papermill <nb> <out> -f <params> --log-output`, through papermill's
 * Python API so the kernel is shut down at once when the last cell is done instead of
 * gracefully (about 0.5 s per step saved; the container ends right after, so nothing is lost).
 * It needs only papermill (and its PyYAML) in the image, like the CLI it replaces.
 */
export const RUNNER_PY = `"""Conveyor notebook runner: papermill with an immediate kernel shutdown."""
import logging
import sys

import papermill
import yaml


def main() -> None:
    notebook, executed, params_file, cwd = sys.argv[1:5]
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with open(params_file, encoding="utf-8") as f:
        params = yaml.safe_load(f) or {}
    papermill.execute_notebook(
        notebook,
        executed,
        parameters=params,
        kernel_name="python3",
        log_output=True,
        progress_bar=False,
        cwd=cwd,
        shutdown_kernel="immediate",
    )


if __name__ == "__main__":
    main()
`;
