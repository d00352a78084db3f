/** The Encounter type and its roots. See https://hl7.org/fhir/R4/encounter.html */
import {
  conditionsOfEncounter,
  medicationRequestsOfEncounter,
  observationsOfEncounter,
} from '../../resolvers';
import { builder } from './builder';
import { addRootFields, childConnection, referenceField } from './connections';
import { CodeableConcept, Coding, list, obj, Period, str } from './fhir-datatypes';
import { ConditionRef, EncounterRef, fhir, MedicationRequestRef, ObservationRef, PatientRef } from './refs';

builder.objectType(EncounterRef, {
  description: 'An interaction between a patient and a provider (FHIR Encounter).',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false }),
    resource: t.field({ type: 'JSON', nullable: false, resolve: (e) => fhir(e) }),
    status: t.string({ nullable: true, resolve: (e) => str(fhir(e).status) }),
    class: t.field({ type: Coding, nullable: true, resolve: (e) => obj(fhir(e).class) }),
    type: t.field({ type: [CodeableConcept], resolve: (e) => list(fhir(e).type) }),
    period: t.field({ type: Period, nullable: true, resolve: (e) => obj(fhir(e).period) }),
    subject: referenceField(t, PatientRef, 'Patient'),
    observations: childConnection(t, ObservationRef, observationsOfEncounter),
    conditions: childConnection(t, ConditionRef, conditionsOfEncounter),
    medicationRequests: childConnection(t, MedicationRequestRef, medicationRequestsOfEncounter),
  }),
});

addRootFields('Encounter', EncounterRef, { one: 'encounter', many: 'encounters' });
