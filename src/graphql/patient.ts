/** The Patient type and its roots. See https://hl7.org/fhir/R4/patient.html */
import {
  conditionsOfPatient,
  countConditionsOfPatient,
  countEncountersOfPatient,
  countObservationsOfPatient,
  encountersOfPatient,
  loadPatient,
  observationsOfPatient,
  searchPatients,
} from '../../resolvers';
import { countResources } from '../../resolvers/resource';
import { builder } from './builder';
import { HumanName, Identifier, list, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, ObservationRef, PatientRef } from './refs';
import { filterInputs, toConnection, toSearchParams } from './search-inputs';

builder.objectType(PatientRef, {
  description: 'Demographics of a person receiving care (FHIR Patient; ids and identifiers tokenized).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (p) => fhir(p) }),
    identifier: t.field({ type: [Identifier], resolve: (p) => list(fhir(p).identifier) }),
    name: t.field({ type: [HumanName], resolve: (p) => list(fhir(p).name) }),
    gender: t.string({ nullable: true, resolve: (p) => str(fhir(p).gender) }),
    birthDate: t.string({ nullable: true, resolve: (p) => str(fhir(p).birthDate) }),
    encounters: t.connection({
      type: EncounterRef,
      authScopes: { search: 'Encounter' },
      args: { filter: t.arg({ type: filterInputs.Encounter }), sort: t.arg.string() },
      resolve: async (p, args, ctx) => {
        const params = toSearchParams('Encounter', args);
        const result = await encountersOfPatient(ctx, p.id, params);
        return toConnection(ctx, result, () => countEncountersOfPatient(ctx, p.id, params), args.after);
      },
    }),
    observations: t.connection({
      type: ObservationRef,
      authScopes: { search: 'Observation' },
      args: { filter: t.arg({ type: filterInputs.Observation }), sort: t.arg.string() },
      resolve: async (p, args, ctx) => {
        const params = toSearchParams('Observation', args);
        const result = await observationsOfPatient(ctx, p.id, params);
        return toConnection(ctx, result, () => countObservationsOfPatient(ctx, p.id, params), args.after);
      },
    }),
    conditions: t.connection({
      type: ConditionRef,
      authScopes: { search: 'Condition' },
      args: { filter: t.arg({ type: filterInputs.Condition }), sort: t.arg.string() },
      resolve: async (p, args, ctx) => {
        const params = toSearchParams('Condition', args);
        const result = await conditionsOfPatient(ctx, p.id, params);
        return toConnection(ctx, result, () => countConditionsOfPatient(ctx, p.id, params), args.after);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  patient: t.field({
    type: PatientRef,
    nullable: true,
    authScopes: { read: 'Patient' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => loadPatient(ctx, String(id)),
  }),
  patients: t.connection({
    type: PatientRef,
    authScopes: { search: 'Patient' },
    args: { filter: t.arg({ type: filterInputs.Patient }), sort: t.arg.string() },
    resolve: async (_, args, ctx) => {
      const result = await searchPatients(ctx, toSearchParams('Patient', args));
      return toConnection(ctx, result, () => countResources(ctx, result.request), args.after);
    },
  }),
}));
