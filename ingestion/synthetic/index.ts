export {
  type CohortHooks,
  type CohortSummary,
  cohortBatchId,
  generateCohort,
  validateCohortOptions,
} from './cohort';
export { ENRICHED_RATES, POPULATION_RATES, type Rates } from './epidemiology';
export {
  asOfMillis,
  type CohortOptions,
  DEFAULT_AS_OF,
  generatePatientLines,
  generatePatientRecord,
} from './patient-record';
export { mrnSystem } from './patient-resource';
