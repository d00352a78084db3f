/** Encounter: reads, searches and the batched edge from its patient. See https://hl7.org/fhir/R4/encounter.html#search */
import { edgeResolvers, typeResolvers } from './resource';

export const encounterResolvers = typeResolvers('Encounter');

/** The patient's encounters (one query for every patient resolved in the same tick). */
export const encountersOfPatient = edgeResolvers('Encounter', 'Patient');
