/** Workspace settings, read from the environment when the module is made. */
export interface WorkspaceConfig {
  /** CONVEYOR_WORKSPACE_IDLE_SECONDS: default idle time before a workspace is stopped (3600). */
  idleSeconds: number;
  /** CONVEYOR_WORKSPACE_CULL_INTERVAL: seconds between two idle checks (60). */
  cullIntervalSeconds: number;
  /** CONVEYOR_WORKSPACE_START_TIMEOUT: seconds JupyterLab may take to answer after a start (120). */
  startTimeoutSeconds: number;
  /** CONVEYOR_WORKSPACE_OUTBOUND: whether workspaces may reach outside the host (default true). */
  outbound: boolean;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

export function workspaceConfig(env: NodeJS.ProcessEnv = process.env): WorkspaceConfig {
  return {
    idleSeconds: Math.round(positive(env.CONVEYOR_WORKSPACE_IDLE_SECONDS, 3600)),
    cullIntervalSeconds: positive(env.CONVEYOR_WORKSPACE_CULL_INTERVAL, 60),
    startTimeoutSeconds: positive(env.CONVEYOR_WORKSPACE_START_TIMEOUT, 120),
    outbound: !['0', 'false', 'no'].includes((env.CONVEYOR_WORKSPACE_OUTBOUND ?? '').toLowerCase())
  };
}
