export { type FileLoaded, type LoadOptions, type LoadSummary, loadLanding } from './load-landing';
export { createQuarantineSink, QUARANTINE_PREFIX, type QuarantineRecord, quarantineKey } from './quarantine';
export { ensureRawSchema, LOAD_HISTORY, LOAD_LEDGER, RAW_COLUMNS, rawTable } from './raw-schema';
