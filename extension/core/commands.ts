/**
 * Every Conveyor command id, in one place.
 */
export namespace CommandIDs {
  export const openSidebar = 'conveyor:open-sidebar';
  export const refreshStatus = 'conveyor:refresh-status';

  // Submit
  export const submitNotebook = 'conveyor:submit-notebook';

  // Runs
  export const refreshRuns = 'conveyor:refresh-runs';
  /** Args: `{ id: string, reveal?: boolean }`; `reveal` selects the run in the Runs section only. */
  export const openRun = 'conveyor:open-run';
  /** Args: `{ id?: string }` (default: the current run view's run). */
  export const cancelRun = 'conveyor:cancel-run';
  export const resumeRun = 'conveyor:resume-run';
  export const rerunRun = 'conveyor:rerun-run';
  /** Args: `{ id: string, step: string }`. */
  export const openExecutedNotebook = 'conveyor:open-executed-notebook';
  /** Diff the executed notebooks of the two runs checked in the Runs section. */
  export const diffRuns = 'conveyor:diff-runs';

  // Resources
  export const refreshResources = 'conveyor:refresh-resources';
  /** Show the Resources section (expanded) in the Conveyor sidebar. */
  export const openResources = 'conveyor:open-resources';

  // Images
  export const refreshImages = 'conveyor:refresh-images';
  /** Show the Images section (expanded) in the Conveyor sidebar. */
  export const openImages = 'conveyor:open-images';
  /** Args: `{ base?: string }`: open the "Build custom image" dialog. */
  export const buildImage = 'conveyor:build-image';
  /** Args: `{ id: string }`: open the live log of an image build. */
  export const openImageBuild = 'conveyor:open-image-build';

  // Experiments
  /** Show the Experiments section (expanded) in the Conveyor sidebar. */
  export const showExperiments = 'conveyor:show-experiments';
  export const refreshExperiments = 'conveyor:refresh-experiments';
  /**
   * Args: `{ experimentIds?: string[], state?: string }` (`state`: base64url JSON ViewState, as in
   * the shareable link). Opens the runs of those experiments in the main area.
   */
  export const openExperiments = 'conveyor:open-experiments';
  /** Router target for `?conveyor-experiments=<state>` links. */
  export const openExperimentsLink = 'conveyor:open-experiments-link';
  /** Copy the link of the current Experiments view. */
  export const copyExperimentsLink = 'conveyor:copy-experiments-link';

  // Datasets
  /** Show the Datasets section (expanded) in the Conveyor sidebar. */
  export const showDatasets = 'conveyor:show-datasets';
  export const refreshDatasets = 'conveyor:refresh-datasets';
  /**
   * Args: `{ path?: string, name?: string }` (default: the file browser's selected item, else its
   * folder). Asks for name, message and tags and registers the path as a dataset version.
   */
  export const registerDataset = 'conveyor:register-dataset';
  /** Args: `{ owner: string, name: string, ref: string }` (ref: version id or tag). */
  export const openDatasetVersion = 'conveyor:open-dataset-version';
  /** Args: `{ owner: string, name: string, from: string, to: string }`. */
  export const diffDatasetVersions = 'conveyor:diff-dataset-versions';
  /** Args: `{ owner: string, name: string, ref: string }`: copy its `dataset://` reference. */
  export const copyDatasetReference = 'conveyor:copy-dataset-reference';
  /** Args: `{ owner: string, name: string, ref: string, tag?: string }` (no tag: ask for one). */
  export const tagDatasetVersion = 'conveyor:tag-dataset-version';
  /** Args: `{ owner: string, name: string, ref: string }`: mark it a blinded test set (asks first). */
  export const blindDatasetVersion = 'conveyor:blind-dataset-version';

  // Git
  /** Show the Git section (expanded) in the Conveyor sidebar. */
  export const showGit = 'conveyor:git-show';
  export const refreshGit = 'conveyor:git-refresh';
  /** Args: `{ path?: string }`: history of a file (default: the file browser's selection), else of the repository. */
  export const gitHistory = 'conveyor:git-history';
  /** History of the repository holding the folder open in the file browser. */
  export const gitRepoHistory = 'conveyor:git-repo-history';
  /** Args: `{ path?: string, from?: string, to?: string }` (`WORKTREE`/`INDEX` or a commit; default HEAD → WORKTREE). */
  export const gitDiff = 'conveyor:git-diff';
  /** Args: `{ path?: string }`: commit this one file (default: the file browser's selection). */
  export const gitCommitFile = 'conveyor:git-commit-file';
  /** Args: `{ path: string, ref: string }`: open that version of a file read-only. */
  export const gitOpenVersion = 'conveyor:git-open-version';
  /** Args: `{ path: string, ref: string }`: write that version to the working copy (confirms). */
  export const gitRestore = 'conveyor:git-restore';

  // Components
  export const refreshComponents = 'conveyor:refresh-components';
  /** Show the Components section (expanded) in the Conveyor sidebar. */
  export const showComponents = 'conveyor:show-components';

  // Pipeline editor (commands act on the current pipeline editor)
  export const newPipeline = 'conveyor:new-pipeline';
  /** Args: `{ cwd?: string }`: pick a template, fill its slots, write the file and open it. */
  export const newPipelineFromTemplate = 'conveyor:new-pipeline-from-template';
  export const pipelineUndo = 'conveyor:pipeline-undo';
  export const pipelineRedo = 'conveyor:pipeline-redo';
  export const pipelineLayout = 'conveyor:pipeline-layout';
  /** Save the pipeline and submit the file as a run; statuses then show on the canvas. */
  export const pipelineRun = 'conveyor:pipeline-run';
  /** Args: `{ entry: ComponentEntry }`: add the component as a step of the open pipeline. */
  export const pipelineInsertComponent = 'conveyor:pipeline-insert-component';

  // Workspaces
  /** Show the Workspaces section (expanded) in the Conveyor sidebar. */
  export const showWorkspaces = 'conveyor:show-workspaces';
  export const refreshWorkspaces = 'conveyor:refresh-workspaces';
  /** Ask for name, image, profile and idle timeout, then start a new workspace. */
  export const newWorkspace = 'conveyor:new-workspace';
  /** Args: `{ id: string }`: open the workspace's JupyterLab in a new browser tab. */
  export const openWorkspace = 'conveyor:open-workspace';

  // Shares
  /**
   * Args: `{ kind: 'workspace' | 'run' | 'comparison' | 'dataset', target: object, label?: string }`
   * (target as in docs/dev/workspaces-contract.md, e.g. `{id}`); opens the share-link dialog.
   */
  export const share = 'conveyor:share';
  /** Router target for `?conveyor-share=<code>` links: redeem the code and open what it shares. */
  export const redeemShareLink = 'conveyor:redeem-share-link';
}
