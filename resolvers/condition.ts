/** Condition: its search, its reads and the batched edges from its parents. See https://hl7.org/fhir/R4/condition.html#search */
import { defineSearch, encounterParam, patientParam } from '../src/fhir/search-parameters';
import { edgeResolvers, typeResolvers } from './resource';

export const conditionSearch = defineSearch({
  type: 'Condition',
  params: [
    patientParam('patient', 'Condition.subject.where(resolve() is Patient)'),
    patientParam('subject', 'Condition.subject'),
    encounterParam('Condition.encounter'),
    {
      name: 'code',
      type: 'token',
      expression: 'Condition.code',
      description: 'Code for the condition (system|code, code or |code)',
    },
    {
      name: 'clinical-status',
      type: 'token',
      expression: 'Condition.clinicalStatus',
      description: 'The clinical status of the condition',
    },
    {
      name: 'onset-date',
      type: 'date',
      expression: 'Condition.onset.as(dateTime) | Condition.onset.as(Period)',
      description: 'Date related onsets (dateTime and Period)',
    },
  ],
  sorts: ['onset-date', 'code'],
});

export const conditionResolvers = typeResolvers(conditionSearch);

/** The patient's conditions (one query for every patient resolved in the same tick). */
export const conditionsOfPatient = edgeResolvers(conditionSearch, 'Patient');

/** The encounter's conditions (batched across encounters). */
export const conditionsOfEncounter = edgeResolvers(conditionSearch, 'Encounter');
