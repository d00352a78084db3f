/** MedicationRequest: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/medicationrequest.html#search */
import { edgeResolvers, typeResolvers } from './resource';

export const medicationRequestResolvers = typeResolvers('MedicationRequest');

/** The patient's prescriptions (one query for every patient resolved in the same tick). */
export const medicationRequestsOfPatient = edgeResolvers('MedicationRequest', 'Patient');

/** The prescriptions written in an encounter (batched across encounters). */
export const medicationRequestsOfEncounter = edgeResolvers('MedicationRequest', 'Encounter');
