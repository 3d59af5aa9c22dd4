export { MetricHistoryChart } from './history';
export type { IMetricHistoryChartProps, IMetricSeries } from './history';
export { ScatterPlot } from './scatter';
export type { IChartColumn, IScatterPlotProps } from './scatter';
export { ParallelCoordinates } from './parallel';
export type { IParallelCoordinatesProps } from './parallel';
export type { IDimension } from './parallelModel';
export type { RawValue } from './values';
