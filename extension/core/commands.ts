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
}
