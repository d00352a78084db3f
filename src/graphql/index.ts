export { createGraphQLHandler, type GraphQLHandlerOptions, maskGraphQLError } from './graphql-handler';
export { printSchemaSdl, schema } from './schema';
