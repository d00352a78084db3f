/**
 * The Pothos builder: plugins, context and scalars. Scope-auth checks SMART scopes per field
 * (nested edges included); relay gives cursor connections, each with a batched `totalCount`.
 */
import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { allows } from '../auth/scopes';
import type { RequestContext } from '../context';
import { forbidden } from '../fhir/operation-outcome';
import type { ResourceType } from '../fhir/search-parameters';

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  AuthScopes: { read: ResourceType; search: ResourceType };
  Scalars: { JSON: { Input: unknown; Output: unknown } };
  Connection: { totalCount: () => Promise<number> };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      read: (type) => allows(ctx.principal.scopes, type, 'r'),
      search: (type) => allows(ctx.principal.scopes, type, 's'),
    }),
    unauthorizedError: () => forbidden(),
  },
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
