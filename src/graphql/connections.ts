/**
 * The fields every resource type repeats, declared once: its two roots (`patient(id)`,
 * `patients(filter, sort, first, after)`) and the batched child edges (`Patient.encounters`, …),
 * each backed by the resolvers (which check the scopes).
 */
import type { ObjectRef } from '@pothos/core';
import { countResources, type EdgeResolvers, RESOLVERS, type ResourceRow } from '../../resolvers';
import type { ResourceType } from '../fhir/search-parameters';
import { builder } from './builder';
import { filterInputs, toConnection, toSearchParams } from './search-inputs';

type SchemaTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
type RowFieldBuilder = PothosSchemaTypes.ObjectFieldBuilder<SchemaTypes, ResourceRow>;

/** Declares `<one>(id: ID!)` (null when missing or another organization's) and the `<many>` search connection. */
export function addRootFields(
  type: ResourceType,
  ref: ObjectRef<SchemaTypes, ResourceRow>,
  names: { one: string; many: string },
): void {
  const resolvers = RESOLVERS[type];
  builder.queryFields((t) => ({
    [names.one]: t.field({
      type: ref,
      nullable: true,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_, { id }, ctx) => resolvers.load(ctx, String(id)),
    }),
    [names.many]: t.connection({
      type: ref,
      args: { filter: t.arg({ type: filterInputs[type] }), sort: t.arg.string() },
      resolve: async (_, args, ctx) => {
        const result = await resolvers.search(ctx, toSearchParams(type, args));
        return toConnection(result, () => countResources(ctx, result.request), args.after);
      },
    }),
  }));
}

/** A parent's connection to its children of `edge.type`, batched across sibling parents. */
export function childConnection(
  t: RowFieldBuilder,
  ref: ObjectRef<SchemaTypes, ResourceRow>,
  edge: EdgeResolvers,
) {
  return t.connection({
    type: ref,
    args: { filter: t.arg({ type: filterInputs[edge.type] }), sort: t.arg.string() },
    resolve: async (parent, args, ctx) => {
      const params = toSearchParams(edge.type, args);
      const result = await edge.page(ctx, parent.id, params);
      return toConnection(result, () => edge.count(ctx, parent.id, params), args.after);
    },
  });
}

/** A reference to the row's parent of `type` (`Encounter.subject`, `Observation.encounter`, …); null when absent. */
export function referenceField(
  t: RowFieldBuilder,
  ref: ObjectRef<SchemaTypes, ResourceRow>,
  type: 'Patient' | 'Encounter',
) {
  return t.field({
    type: ref,
    nullable: true,
    resolve: (row, _, ctx) => {
      const id = type === 'Patient' ? row.patientId : row.encounterId;
      return id ? RESOLVERS[type].load(ctx, id) : null;
    },
  });
}
