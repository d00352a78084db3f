/** Encounter: its search, its reads and the batched edge from its patient. See https://hl7.org/fhir/R4/encounter.html#search */
import { defineSearch, patientParam } from '../src/fhir/search-parameters';
import { edgeResolvers, typeResolvers } from './resource';

export const encounterSearch = defineSearch({
  type: 'Encounter',
  params: [
    patientParam('patient', 'Encounter.subject.where(resolve() is Patient)'),
    patientParam('subject', 'Encounter.subject'),
    {
      name: 'date',
      type: 'date',
      expression: 'Encounter.period',
      description: 'A date within the period the encounter lasted',
    },
    {
      name: 'status',
      type: 'token',
      expression: 'Encounter.status',
      description: 'planned | arrived | triaged | in-progress | onleave | finished | cancelled +',
    },
    {
      name: 'class',
      type: 'token',
      expression: 'Encounter.class',
      description: 'Classification of the encounter (AMB, IMP, EMER)',
    },
  ],
  sorts: ['date', 'status'],
});

export const encounterResolvers = typeResolvers(encounterSearch);

/** The patient's encounters (one query for every patient resolved in the same tick). */
export const encountersOfPatient = edgeResolvers(encounterSearch, 'Patient');
