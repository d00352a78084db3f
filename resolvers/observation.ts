/** Observation: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/observation.html#search */
import { edgeResolvers, typeResolvers } from './resource';

export const observationResolvers = typeResolvers('Observation');

/** The patient's observations (one query for every patient resolved in the same tick). */
export const observationsOfPatient = edgeResolvers('Observation', 'Patient');

/** The encounter's observations (batched across encounters). */
export const observationsOfEncounter = edgeResolvers('Observation', 'Encounter');
