/** Tables of share links (shares/migration.ts creates them), merged into `Database`. */
export interface ShareTables {
  share_links: {
    /** 12 hex characters. */
    id: string;
    owner: string;
    kind: 'workspace' | 'run' | 'comparison' | 'dataset';
    /** The target as given (JSON), e.g. {"id":"…"} or {"experiments":[1,2]}. */
    target: string;
    /** Canonical form of (kind, target) access checks look up: shares/targets.ts `targetKey`. */
    target_key: string;
    scope: 'view' | 'collaborate';
    /** sha256 (hex) of the code; the code itself is never stored. */
    secret_hash: string;
    expires_at: string;
    revoked_at: string | null;
    created_at: string;
    /** Redemptions of the code, by anybody. */
    uses: number;
  };
  share_grants: {
    link_id: string;
    user: string;
    first_used_at: string;
    last_used_at: string;
    uses: number;
  };
}
