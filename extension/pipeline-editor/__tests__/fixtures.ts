/** A copy of examples/pipelines/train.yaml (jsdom tests have no file system). */
export const EXAMPLE = `# A small training pipeline: prepare data, train two models in parallel, compare them.
# Run it from JupyterLab (right-click → Run pipeline) or \`conveyor run examples/pipelines/train.yaml\`.
apiVersion: conveyor/v1
kind: Pipeline
name: train-demo
description: Prepare a data set, train two models with different learning rates in parallel, keep the better one.
params:
  seed: 42
defaults:
  image: conveyor/base:dev
  timeoutSeconds: 600
steps:
  - name: prepare
    notebook: prepare.ipynb
    params:
      rows: 200
    outputs: [ data.csv ]

  - name: train-a
    notebook: train.ipynb
    params:
      lr: 0.01
      model_out: model-a.json
    inputs:
      data.csv: prepare.data.csv
    outputs: [model-a.json]

  - name: train-b
    notebook: train.ipynb
    params:
      lr: 0.1
      model_out: model-b.json
    inputs:
      data.csv: prepare.data.csv
    outputs: [model-b.json]
    retry:
      attempts: 2

  - name: compare
    notebook: compare.ipynb
    inputs:
      model-a.json: train-a.model-a.json
      model-b.json: train-b.model-b.json
    outputs: [best.json]
`;
