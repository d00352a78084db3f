/** Condition: reads, searches and the batched edges from its parents. See https://hl7.org/fhir/R4/condition.html#search */
import { edgeResolvers, typeResolvers } from './resource';

export const conditionResolvers = typeResolvers('Condition');

/** The patient's conditions (one query for every patient resolved in the same tick). */
export const conditionsOfPatient = edgeResolvers('Condition', 'Patient');

/** The encounter's conditions (batched across encounters). */
export const conditionsOfEncounter = edgeResolvers('Condition', 'Encounter');
