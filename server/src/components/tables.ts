/** Tables of the component registry (components/migration.ts creates them), merged into `Database`. */
export interface ComponentTables {
  component_versions: {
    /** `users/<owner>` or `shared`. */
    namespace: string;
    name: string;
    version: string;
    owner: string;
    /** The component (schema/api/component.json) as JSON. */
    spec: string;
    created_at: string;
  };
  component_shares: {
    namespace: string;
    name: string;
    /** A user name, or '*' for everyone. */
    grantee: string;
  };
}
