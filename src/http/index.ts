export { type BodyLimitOptions, bodyLimit } from './body-limit';
export { jsonNestingDepth } from './json-depth';
export { type JsonSafetyOptions, jsonSafety } from './json-safety';
export { FHIR_JSON, onOutcomeError, outcomeResponse } from './outcome-response';
export { platformClientIp, type RateLimitOptions, rateLimit } from './rate-limit';
export { API_CSP, PAGE_CSP, type SecurityHeadersOptions, securityHeaders } from './security-headers';
export {
  createTokenBuckets,
  type TakeResult,
  type TokenBuckets,
  type TokenBucketsOptions,
} from './token-buckets';
