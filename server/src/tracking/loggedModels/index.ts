export { loggedModelArtifactRoutes } from './artifacts';
export { loggedModelRoutes } from './routes';
export { LoggedModels, type LoggedModelRow, type MlflowLoggedModel } from './service';
export { loggedModelsMigration } from './migration';
export type { LoggedModelTables } from './tables';
