/** Table datasets (CSV, Parquet) on DuckDB: see docs/datasets.md "Tables". */
export { TableEngine, type TableEngineOptions } from './engine';
export { createTableHooks, tableMeta } from './hooks';
export { StoreTableObjects } from './storeObjects';
export type * from './types';
