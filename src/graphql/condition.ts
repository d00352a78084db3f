/** The Condition type and its roots. See https://hl7.org/fhir/R4/condition.html */
import { builder } from './builder';
import { addRootFields, referenceField } from './connections';
import { CodeableConcept, list, obj, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, PatientRef } from './refs';

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
    subject: referenceField(t, PatientRef, 'Patient'),
    encounter: referenceField(t, EncounterRef, 'Encounter'),
  }),
});

addRootFields('Condition', ConditionRef, { one: 'condition', many: 'conditions' });
