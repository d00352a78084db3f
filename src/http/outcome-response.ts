import { OperationOutcomeError } from '../fhir/operation-outcome';

/** The FHIR media type every error answer carries. See: https://hl7.org/fhir/R4/http.html#mime-type */
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** Turns an `OperationOutcomeError` into its HTTP response: the outcome as JSON, its status and extra headers. */
export function outcomeResponse(error: OperationOutcomeError): Response {
  return new Response(JSON.stringify(error.outcome), {
    status: error.status,
    headers: { ...error.headers, 'Content-Type': FHIR_JSON },
  });
}

/**
 * A minimal Hono `onError` for apps and tests that map only the FHIR error model: an
 * `OperationOutcomeError` becomes its response, anything else is rethrown to Hono's default.
 */
export function onOutcomeError(error: Error): Response {
  if (error instanceof OperationOutcomeError) return outcomeResponse(error);
  throw error;
}
