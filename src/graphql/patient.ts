/** The Patient type and its roots. See https://hl7.org/fhir/R4/patient.html */
import {
  conditionsOfPatient,
  encountersOfPatient,
  medicationRequestsOfPatient,
  observationsOfPatient,
} from '../../resolvers';
import { builder } from './builder';
import { addRootFields, childConnection } from './connections';
import { HumanName, Identifier, list, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, MedicationRequestRef, ObservationRef, PatientRef } from './refs';

builder.objectType(PatientRef, {
  description: 'Demographics of a person receiving care (FHIR Patient; ids and identifiers tokenized).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (p) => fhir(p) }),
    identifier: t.field({ type: [Identifier], resolve: (p) => list(fhir(p).identifier) }),
    name: t.field({ type: [HumanName], resolve: (p) => list(fhir(p).name) }),
    gender: t.string({ nullable: true, resolve: (p) => str(fhir(p).gender) }),
    birthDate: t.string({ nullable: true, resolve: (p) => str(fhir(p).birthDate) }),
    encounters: childConnection(t, EncounterRef, encountersOfPatient),
    observations: childConnection(t, ObservationRef, observationsOfPatient),
    conditions: childConnection(t, ConditionRef, conditionsOfPatient),
    medicationRequests: childConnection(t, MedicationRequestRef, medicationRequestsOfPatient),
  }),
});

addRootFields('Patient', PatientRef, { one: 'patient', many: 'patients' });
