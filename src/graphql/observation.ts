/** The Observation type and its roots. See https://hl7.org/fhir/R4/observation.html */
import { builder } from './builder';
import { addRootFields, referenceField } from './connections';
import { CodeableConcept, list, obj, Period, Quantity, str } from './fhir-datatypes';
import { EncounterRef, fhir, ObservationRef, PatientRef } from './refs';

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
    subject: referenceField(t, PatientRef, 'Patient'),
    encounter: referenceField(t, EncounterRef, 'Encounter'),
  }),
});

addRootFields('Observation', ObservationRef, { one: 'observation', many: 'observations' });
