/**
 * The GraphQL endpoint: one Yoga instance over the Pothos schema, called by the app with an
 * already-authenticated request context. GraphiQL is off here (the app serves its own page).
 * FHIR errors become `GraphQLError`s with `extensions.code`; anything else is masked.
 */
import { createYoga, type Plugin } from 'graphql-yoga';
import type { RequestContext } from '../context';
import { OperationOutcomeError } from '../fhir/operation-outcome';
import { graphqlArmorPlugins } from './armor';
import { graphql } from './graphql-module';
import { schema } from './schema';

const { GraphQLError } = graphql;

const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export interface GraphQLHandlerOptions {
  /** Production: no introspection, no field suggestions. */
  production: boolean;
}

/** Maps an error to what the client sees: FHIR errors keep their message and get a code; the rest is masked. */
export function maskGraphQLError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof OperationOutcomeError) {
    const g = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, {
      nodes: g?.nodes,
      path: g?.path,
      extensions: { code: CODES[original.status] ?? 'INTERNAL_SERVER_ERROR' },
    });
  }
  if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
  const g = error instanceof GraphQLError ? error : undefined;
  return new GraphQLError(message, {
    nodes: g?.nodes,
    path: g?.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

export function createGraphQLHandler(
  options: GraphQLHandlerOptions,
): (request: Request, ctx: RequestContext) => Promise<Response> {
  const plugins: Plugin[] = graphqlArmorPlugins({ production: options.production });
  const yoga = createYoga<RequestContext>({
    schema,
    graphiql: false,
    landingPage: false,
    batching: false,
    graphqlEndpoint: '/graphql',
    maskedErrors: { maskError: (error, message) => maskGraphQLError(error, message) },
    logging: false,
    plugins,
  });
  return async (request, ctx) => {
    const url = new URL(request.url);
    const routed =
      url.pathname === '/graphql' ? request : new Request(new URL(`/graphql${url.search}`, url), request);
    return yoga.fetch(routed, ctx);
  };
}
