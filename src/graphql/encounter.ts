/** The Encounter type and its roots. See https://hl7.org/fhir/R4/encounter.html */
import {
  conditionsOfEncounter,
  countConditionsOfEncounter,
  countObservationsOfEncounter,
  loadEncounter,
  loadPatient,
  observationsOfEncounter,
  searchEncounters,
} from '../../resolvers';
import { countResources } from '../../resolvers/resource';
import { builder } from './builder';
import { CodeableConcept, Coding, list, obj, Period, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, ObservationRef, PatientRef } from './refs';
import { filterInputs, toConnection, toSearchParams } from './search-inputs';

builder.objectType(EncounterRef, {
  description: 'An interaction between a patient and a provider (FHIR Encounter).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (e) => fhir(e) }),
    status: t.string({ nullable: true, resolve: (e) => str(fhir(e).status) }),
    class: t.field({ type: Coding, nullable: true, resolve: (e) => obj(fhir(e).class) }),
    type: t.field({ type: [CodeableConcept], resolve: (e) => list(fhir(e).type) }),
    period: t.field({ type: Period, nullable: true, resolve: (e) => obj(fhir(e).period) }),
    subject: t.field({
      type: PatientRef,
      nullable: true,
      authScopes: { read: 'Patient' },
      resolve: (e, _, ctx) => (e.patientId ? loadPatient(ctx, e.patientId) : null),
    }),
    observations: t.connection({
      type: ObservationRef,
      authScopes: { search: 'Observation' },
      args: { filter: t.arg({ type: filterInputs.Observation }), sort: t.arg.string() },
      resolve: async (e, args, ctx) => {
        const params = toSearchParams('Observation', args);
        const result = await observationsOfEncounter(ctx, e.id, params);
        return toConnection(ctx, result, () => countObservationsOfEncounter(ctx, e.id, params), args.after);
      },
    }),
    conditions: t.connection({
      type: ConditionRef,
      authScopes: { search: 'Condition' },
      args: { filter: t.arg({ type: filterInputs.Condition }), sort: t.arg.string() },
      resolve: async (e, args, ctx) => {
        const params = toSearchParams('Condition', args);
        const result = await conditionsOfEncounter(ctx, e.id, params);
        return toConnection(ctx, result, () => countConditionsOfEncounter(ctx, e.id, params), args.after);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  encounter: t.field({
    type: EncounterRef,
    nullable: true,
    authScopes: { read: 'Encounter' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => loadEncounter(ctx, String(id)),
  }),
  encounters: t.connection({
    type: EncounterRef,
    authScopes: { search: 'Encounter' },
    args: { filter: t.arg({ type: filterInputs.Encounter }), sort: t.arg.string() },
    resolve: async (_, args, ctx) => {
      const result = await searchEncounters(ctx, toSearchParams('Encounter', args));
      return toConnection(ctx, result, () => countResources(ctx, result.request), args.after);
    },
  }),
}));
