import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ExperimentRunDetail } from '../../schema/generated/api';
import { CandidateCompare, openNotebookDiff } from './compare';
import type { Fetcher } from './request';

/**
 * The charts owner's comparison components, hosted by the Experiments view (contract props only).
 */
export function renderCandidates(runs: ExperimentRunDetail[], trans: TranslationBundle): JSX.Element {
  return <CandidateCompare runs={runs} trans={trans} />;
}

/** Diff the executed notebooks of two tracked runs in the main area. */
export function diffNotebooks(
  app: JupyterFrontEnd,
  requestAPI: Fetcher,
  runA: string,
  runB: string,
  trans: TranslationBundle
): void {
  openNotebookDiff(app, { requestAPI }, runA, runB, trans);
}
