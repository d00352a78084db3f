/**
 * The Pothos builder: plugins, context and scalars. Relay gives cursor connections, each with a
 * batched `totalCount`. SMART scopes are checked by the resolvers every field calls (one owner
 * for REST and GraphQL alike), so a field without its scope answers null with a 403 error.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { RequestContext } from '../context';

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  Scalars: { JSON: { Input: unknown; Output: unknown } };
  Connection: { totalCount: () => Promise<number> };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});

builder.queryType({
  description: 'Organization-scoped FHIR R4 data: the organization is the one in the token.',
});

builder.scalarType('JSON', {
  description: 'A JSON value: `resource` fields carry the exact FHIR resource as served.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    nullable: false,
    description: 'All matches, across pages.',
    resolve: (parent) => parent.totalCount(),
  }),
);
