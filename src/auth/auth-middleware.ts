import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import type { RequestContext } from '../context';
import { unauthorized } from '../fhir/operation-outcome';
import type { Principal } from './principal';
import { bearerToken, type TokenVerifier } from './token-verifier';

export interface AuthMiddlewareOptions {
  verifier: TokenVerifier;
  /** Builds the org-scoped request context from the verified principal. */
  createContext: (principal: Principal, requestId: string) => RequestContext;
}

/**
 * Bearer → verified principal → `c.set('ctx', …)`. Anything missing or invalid is a 401
 * `OperationOutcome` with `WWW-Authenticate: Bearer`. Behind API Gateway, the organization the
 * Lambda authorizer vouched for must equal the token's (defense in depth).
 * See: https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function authenticate(options: AuthMiddlewareOptions): MiddlewareHandler<AppEnv> {
  return async function authMiddleware(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized();
    const principal = await options.verifier.verify(token);
    const vouched = authorizerOrganization(c.env);
    if (vouched !== undefined && vouched !== principal.organizationId) throw unauthorized();
    c.set('ctx', options.createContext(principal, c.get('requestId')));
    await next();
  };
}

/**
 * The organization an API Gateway Lambda authorizer put in the request context: REST (v1)
 * `requestContext.authorizer.organizationId`, HTTP API (v2) `requestContext.authorizer.lambda.organizationId`
 * (`src/handlers/authorizer.ts` writes `organizationId`; `organization` is read too).
 * `undefined` off Lambda or without an authorizer.
 */
export function authorizerOrganization(env: unknown): string | undefined {
  const authorizer = (env as { event?: { requestContext?: { authorizer?: Record<string, unknown> } } })?.event
    ?.requestContext?.authorizer;
  if (!authorizer) return undefined;
  const lambda = authorizer.lambda as Record<string, unknown> | undefined;
  const org =
    lambda?.organizationId ?? lambda?.organization ?? authorizer.organizationId ?? authorizer.organization;
  return typeof org === 'string' ? org : undefined;
}
