/** The MedicationRequest type and its roots. See https://hl7.org/fhir/R4/medicationrequest.html */
import { builder } from './builder';
import { addRootFields, referenceField } from './connections';
import { CodeableConcept, list, obj, Period, str } from './fhir-datatypes';
import { EncounterRef, fhir, MedicationRequestRef, PatientRef } from './refs';

type Json = Record<string, unknown>;

const Dosage = builder.objectRef<Json>('Dosage').implement({
  description: 'How the medication is to be taken (FHIR Dosage; text and the bounds of its timing).',
  fields: (t) => ({
    text: t.string({ nullable: true, resolve: (d) => str(d.text) }),
    boundsPeriod: t.field({
      type: Period,
      nullable: true,
      resolve: (d) => obj(obj(obj(d.timing)?.repeat)?.boundsPeriod),
    }),
  }),
});

builder.objectType(MedicationRequestRef, {
  description: 'An order for a medication for a patient (FHIR MedicationRequest; RxNorm-coded).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (m) => fhir(m) }),
    status: t.string({ nullable: true, resolve: (m) => str(fhir(m).status) }),
    intent: t.string({ nullable: true, resolve: (m) => str(fhir(m).intent) }),
    medicationCodeableConcept: t.field({
      type: CodeableConcept,
      nullable: true,
      resolve: (m) => obj(fhir(m).medicationCodeableConcept),
    }),
    authoredOn: t.string({ nullable: true, resolve: (m) => str(fhir(m).authoredOn) }),
    dosageInstruction: t.field({ type: [Dosage], resolve: (m) => list(fhir(m).dosageInstruction) }),
    subject: referenceField(t, PatientRef, 'Patient'),
    encounter: referenceField(t, EncounterRef, 'Encounter'),
  }),
});

addRootFields('MedicationRequest', MedicationRequestRef, {
  one: 'medicationRequest',
  many: 'medicationRequests',
});
