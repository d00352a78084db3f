export { DbtUnavailableError } from './run-dbt';
export { TransformError, type TransformRequest, transform } from './transform';
