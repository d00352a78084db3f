/** The Condition type and its roots. See https://hl7.org/fhir/R4/condition.html */
import { loadCondition, loadEncounter, loadPatient, searchConditions } from '../../resolvers';
import { countResources } from '../../resolvers/resource';
import { builder } from './builder';
import { CodeableConcept, list, obj, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, PatientRef } from './refs';
import { filterInputs, toConnection, toSearchParams } from './search-inputs';

builder.objectType(ConditionRef, {
  description: 'A clinical condition, problem or diagnosis (FHIR Condition).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (c) => fhir(c) }),
    clinicalStatus: t.field({
      type: CodeableConcept,
      nullable: true,
      resolve: (c) => obj(fhir(c).clinicalStatus),
    }),
    verificationStatus: t.field({
      type: CodeableConcept,
      nullable: true,
      resolve: (c) => obj(fhir(c).verificationStatus),
    }),
    category: t.field({ type: [CodeableConcept], resolve: (c) => list(fhir(c).category) }),
    code: t.field({ type: CodeableConcept, nullable: true, resolve: (c) => obj(fhir(c).code) }),
    onsetDateTime: t.string({ nullable: true, resolve: (c) => str(fhir(c).onsetDateTime) }),
    recordedDate: t.string({ nullable: true, resolve: (c) => str(fhir(c).recordedDate) }),
    subject: t.field({
      type: PatientRef,
      nullable: true,
      authScopes: { read: 'Patient' },
      resolve: (c, _, ctx) => (c.patientId ? loadPatient(ctx, c.patientId) : null),
    }),
    encounter: t.field({
      type: EncounterRef,
      nullable: true,
      authScopes: { read: 'Encounter' },
      resolve: (c, _, ctx) => (c.encounterId ? loadEncounter(ctx, c.encounterId) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  condition: t.field({
    type: ConditionRef,
    nullable: true,
    authScopes: { read: 'Condition' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_, { id }, ctx) => loadCondition(ctx, String(id)),
  }),
  conditions: t.connection({
    type: ConditionRef,
    authScopes: { search: 'Condition' },
    args: { filter: t.arg({ type: filterInputs.Condition }), sort: t.arg.string() },
    resolve: async (_, args, ctx) => {
      const result = await searchConditions(ctx, toSearchParams('Condition', args));
      return toConnection(ctx, result, () => countResources(ctx, result.request), args.after);
    },
  }),
}));
