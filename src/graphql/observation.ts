/** The Observation type and its roots. See https://hl7.org/fhir/R4/observation.html */
import { loadEncounter, loadObservation, loadPatient, searchObservations } from '../../resolvers';
import { countResources } from '../../resolvers/resource';
import { builder } from './builder';
import { CodeableConcept, list, obj, Period, Quantity, str } from './fhir-datatypes';
import { EncounterRef, fhir, ObservationRef, PatientRef } from './refs';
import { filterInputs, toConnection, toSearchParams } from './search-inputs';

builder.objectType(ObservationRef, {
  description: 'Measurements and simple assertions about a patient (FHIR Observation).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (o) => fhir(o) }),
    status: t.string({ nullable: true, resolve: (o) => str(fhir(o).status) }),
    category: t.field({ type: [CodeableConcept], resolve: (o) => list(fhir(o).category) }),
    code: t.field({ type: CodeableConcept, nullable: true, resolve: (o) => obj(fhir(o).code) }),
    effectiveDateTime: t.string({ nullable: true, resolve: (o) => str(fhir(o).effectiveDateTime) }),
    effectivePeriod: t.field({ type: Period, nullable: true, resolve: (o) => obj(fhir(o).effectivePeriod) }),
    valueQuantity: t.field({ type: Quantity, nullable: true, resolve: (o) => obj(fhir(o).valueQuantity) }),
    subject: t.field({
      type: PatientRef,
      nullable: true,
      authScopes: { read: 'Patient' },
      resolve: (o, _, ctx) => (o.patientId ? loadPatient(ctx, o.patientId) : null),
    }),
    encounter: t.field({
      type: EncounterRef,
      nullable: true,
      authScopes: { read: 'Encounter' },
      resolve: (o, _, ctx) => (o.encounterId ? loadEncounter(ctx, o.encounterId) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  observation: t.field({
    type: ObservationRef,
    nullable: true,
    authScopes: { read: 'Observation' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => loadObservation(ctx, String(id)),
  }),
  observations: t.connection({
    type: ObservationRef,
    authScopes: { search: 'Observation' },
    args: { filter: t.arg({ type: filterInputs.Observation }), sort: t.arg.string() },
    resolve: async (_, args, ctx) => {
      const result = await searchObservations(ctx, toSearchParams('Observation', args));
      return toConnection(ctx, result, () => countResources(ctx, result.request), args.after);
    },
  }),
}));
