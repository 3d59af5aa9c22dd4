export { CandidateCompare } from './candidates';
export type { ICandidateCompareProps } from './candidates';
export type { CandidateRun, ICandidateModelVersion } from './rows';
export { openNotebookDiff } from './diff';
export type { DiffRun } from './diff';
