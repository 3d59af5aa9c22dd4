export { ModelListModel } from './model';
export { keyMetrics, ModelsSection } from './section';
