/** Tables of managed workspaces (workspaces/migration.ts creates them), merged into `Database`. */
export interface WorkspaceTables {
  workspaces: {
    /** 12 hex characters. */
    id: string;
    owner: string;
    name: string;
    image: string;
    /** The image id the current container was created from. */
    image_digest: string | null;
    profile: string;
    status: 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
    container_id: string | null;
    /** The owner's home volume, conveyor-home-<owner>. */
    volume: string;
    /** The workspace's own bridge network, conveyor-ws-<id>. */
    network: string;
    /** sha256 of the inner JupyterLab token of the current start (the token itself is only in memory and the container). */
    token_hash: string | null;
    idle_seconds: number;
    /** Running seconds of the starts that ended (cost = (run_seconds + current) × price). */
    run_seconds: number;
    created_at: string;
    started_at: string | null;
    stopped_at: string | null;
    last_activity_at: string | null;
    error: string | null;
  };
}
