/** Observation: its search, its reads and the batched edges from its parents. See https://hl7.org/fhir/R4/observation.html#search */
import { defineSearch, encounterParam, patientParam } from '../src/fhir/search-parameters';
import { edgeResolvers, typeResolvers } from './resource';

export const observationSearch = defineSearch({
  type: 'Observation',
  params: [
    patientParam('patient', 'Observation.subject.where(resolve() is Patient)'),
    patientParam('subject', 'Observation.subject'),
    encounterParam('Observation.encounter'),
    {
      name: 'code',
      type: 'token',
      expression: 'Observation.code',
      description: 'The code of the observation type (system|code, code or |code)',
    },
    {
      name: 'category',
      type: 'token',
      expression: 'Observation.category',
      description: 'The classification of the type of observation',
    },
    {
      name: 'date',
      type: 'date',
      expression: 'Observation.effective',
      description: 'Obtained date/time (effective[x])',
    },
    {
      name: 'value-quantity',
      type: 'quantity',
      expression: '(Observation.value as Quantity)',
      description: 'The value of the observation ([prefix]number|system|code)',
    },
  ],
  sorts: ['date', 'code', 'value-quantity'],
});

export const observationResolvers = typeResolvers(observationSearch);

/** The patient's observations (batched across patients). */
export const observationsOfPatient = edgeResolvers(observationSearch, 'Patient');

/** The encounter's observations (batched across encounters). */
export const observationsOfEncounter = edgeResolvers(observationSearch, 'Encounter');
