/**
 * The API Gateway REQUEST Lambda authorizer: verifies the bearer JWT with the gateway's own
 * verifier (same rules, same remote JWKS settings) before a request reaches the gateway, and
 * hands the gateway a flat context of who is calling. The gateway verifies again.
 *
 * The policy allows the whole API (`.../<stage>/*` + `/*`), not the one method asked for, so
 * a cached decision does not 403 the caller's next, different route. Set the authorizer's
 * result cache TTL (`authorizerResultTtlInSeconds`) no longer than the shortest token
 * lifetime the issuer grants (and keep the identity source to the `Authorization` header),
 * or a token keeps working from the cache after it expires.
 * See: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
import { bearerToken, createIdentity, type TokenVerifier } from '../auth';
import { type Config, loadConfig } from '../config';
import { createLogger, type Logger } from '../logger';

/** The fields of a REST API (v1) REQUEST authorizer event this authorizer reads. */
export interface RequestAuthorizerEvent {
  type: 'REQUEST';
  methodArn: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, (string | undefined)[] | undefined> | null;
}

/** The flat authorizer context: API Gateway allows only strings, numbers and booleans here. */
export interface AuthorizerContext {
  [key: string]: string;
  organizationId: string;
  /** Space-separated SMART scopes. */
  scopes: string;
  subject: string;
  /** Empty when the token names no client. */
  clientId: string;
}

export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: [{ Action: 'execute-api:Invoke'; Effect: 'Allow'; Resource: string }];
  };
  context: AuthorizerContext;
}

export type Authorizer = (event: RequestAuthorizerEvent) => Promise<AuthorizerResult>;

const METHOD_ARN = /^(arn:aws[\w-]*:execute-api:[\w-]+:\d{12}:[A-Za-z0-9]+)\/([^/]+)\//;

/** `arn:...:<apiId>/<stage>/<METHOD>/<path>` → `arn:...:<apiId>/<stage>/*` + `/*`. */
export function wholeApiResource(methodArn: string): string {
  const m = METHOD_ARN.exec(methodArn);
  if (!m) throw new Error('Unauthorized');
  return `${m[1]}/${m[2]}/*/*`;
}

function authorizationHeader(event: RequestAuthorizerEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') return value;
  }
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'authorization' && values?.length === 1) return values[0];
  }
  return undefined;
}

/**
 * An authorizer over `verifier`. Any invalid request — no or malformed header, a refused token,
 * an unparseable method ARN — throws `Error('Unauthorized')`, which API Gateway answers with 401.
 */
export function createAuthorizer(verifier: TokenVerifier, log?: Logger): Authorizer {
  return async (event) => {
    const token = bearerToken(authorizationHeader(event));
    if (!token) throw new Error('Unauthorized');
    const resource = wholeApiResource(event.methodArn);
    const principal = await verifier.verify(token).catch(() => {
      throw new Error('Unauthorized');
    });
    log?.info({ organizationId: principal.organizationId, clientId: principal.clientId }, 'authorized');
    return {
      principalId: principal.subject,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
      },
      context: {
        organizationId: principal.organizationId,
        scopes: principal.scopes.join(' '),
        subject: principal.subject,
        clientId: principal.clientId ?? '',
      },
    };
  };
}

/** Builds the authorizer from configuration: remote JWKS only, the dev issuer is refused. */
export async function createAuthorizerFromConfig(config: Config, log?: Logger): Promise<Authorizer> {
  if (config.auth.mode !== 'jwks') throw new Error('The Lambda authorizer needs AUTH_MODE=jwks');
  const { verifier } = await createIdentity(config, log);
  return createAuthorizer(verifier, log);
}

let authorizer: Promise<Authorizer> | undefined;

/** The Lambda entry; the verifier (and its JWKS cache) lives as long as the container. */
export async function handler(event: RequestAuthorizerEvent): Promise<AuthorizerResult> {
  if (!authorizer) {
    const config = loadConfig();
    authorizer = createAuthorizerFromConfig(config, createLogger({ level: config.logLevel }));
  }
  return (await authorizer)(event);
}
