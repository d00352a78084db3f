/** SQL and wildcard injection, hostile Unicode (lone surrogate, RTL override, zero-width, NUL). */
export const HOSTILE_VALUES = [
  "' OR 1=1 --",
  "'; DROP TABLE api.dim_patient_api; --",
  "x' UNION SELECT resource FROM api.dim_patient_api --",
  '" OR ""="',
  '%',
  '_',
  '*',
  '%%',
  '\\',
  '\\%',
  '[a-z]%',
  `${'a'.repeat(5000)}`,
  '\u202Eevil\u202C',
  'a\u200Bb',
  'nul\u0000byte',
  'lt2020',
  'ge',
  'http://loinc.org|',
  '|',
  '||',
];
/** Raw query-string fragments that are not valid UTF-8 once decoded (a lone surrogate, an overlong). */
export const RAW_ENCODED = ['%ED%A0%80', '%C0%AF', '%FF', '%', '%E2%80%AE'];
