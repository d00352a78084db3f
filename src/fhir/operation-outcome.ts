/**
 * The one error model. Anything that should reach a client as a FHIR error throws an
 * `OperationOutcomeError`; REST maps it to its HTTP status once, GraphQL to a `GraphQLError`
 * with `extensions.code`. Anything else is unexpected and is masked (500 with a request id).
 * See: https://hl7.org/fhir/R4/operationoutcome.html and https://hl7.org/fhir/R4/http.html
 */
export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'not-supported'
  | 'too-long'
  | 'too-costly'
  | 'throttled'
  | 'transient'
  | 'conflict'
  | 'processing'
  | 'exception'
  | 'informational';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: IssueCode;
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: OperationOutcomeIssue[];
}

export class OperationOutcomeError extends Error {
  constructor(
    readonly status: number,
    readonly outcome: OperationOutcome,
    /** Extra response headers (e.g. Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(outcome.issue[0]?.diagnostics ?? outcome.issue[0]?.code ?? 'error');
    this.name = 'OperationOutcomeError';
  }
}

export function outcome(
  code: IssueCode,
  diagnostics?: string,
  expression?: string[],
  severity: IssueSeverity = 'error',
): OperationOutcome {
  const issue: OperationOutcomeIssue = { severity, code };
  if (diagnostics !== undefined) issue.diagnostics = diagnostics;
  if (expression?.length) issue.expression = expression;
  return { resourceType: 'OperationOutcome', issue: [issue] };
}

const error = (
  status: number,
  code: IssueCode,
  diagnostics: string,
  expression?: string[],
  headers?: Record<string, string>,
) => new OperationOutcomeError(status, outcome(code, diagnostics, expression), headers);

export const badRequest = (diagnostics: string, expression?: string[]) =>
  error(400, 'invalid', diagnostics, expression);
export const unauthorized = (diagnostics = 'A valid bearer token is required') =>
  error(401, 'login', diagnostics, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (diagnostics = 'The token does not grant access to this resource') =>
  error(403, 'forbidden', diagnostics);
/** The same answer for a missing resource and another organization's: tenants never learn of each other. */
export const notFound = (type: string, id: string) =>
  error(404, 'not-found', `Resource ${type}/${id} is not known`);
export const routeNotFound = () => error(404, 'not-found', 'No such endpoint');
export const methodNotAllowed = (allow: string[]) =>
  error(405, 'not-supported', 'Method not allowed', undefined, { Allow: allow.join(', ') });
export const notAcceptable = (diagnostics = 'Only application/fhir+json and application/json are served') =>
  error(406, 'not-supported', diagnostics);
export const payloadTooLarge = (diagnostics = 'Request body too large') =>
  error(413, 'too-long', diagnostics);
export const unsupportedMediaType = (diagnostics: string) => error(415, 'not-supported', diagnostics);
export const unprocessable = (diagnostics: string, expression?: string[]) =>
  error(422, 'processing', diagnostics, expression);
export const tooManyRequests = (retryAfterSeconds: number) =>
  error(429, 'throttled', 'Rate limit exceeded', undefined, { 'Retry-After': String(retryAfterSeconds) });
/** The warehouse is briefly unreachable or overloaded: try again after `retryAfterSeconds`. */
export const serviceUnavailable = (retryAfterSeconds: number) =>
  error(503, 'transient', 'The service is temporarily unavailable', undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
export const internalError = (requestId: string) =>
  error(500, 'exception', `Internal error (request id ${requestId})`);
