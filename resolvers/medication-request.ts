/** MedicationRequest: its search, its reads and the batched edges from its parents. See https://hl7.org/fhir/R4/medicationrequest.html#search */
import { defineSearch, encounterParam, patientParam } from '../src/fhir/search-parameters';
import { edgeResolvers, typeResolvers } from './resource';

export const medicationRequestSearch = defineSearch({
  type: 'MedicationRequest',
  params: [
    patientParam('patient', 'MedicationRequest.subject.where(resolve() is Patient)'),
    patientParam('subject', 'MedicationRequest.subject'),
    encounterParam('MedicationRequest.encounter'),
    {
      name: 'code',
      type: 'token',
      expression: '(MedicationRequest.medication as CodeableConcept)',
      description: 'The medication, as an RxNorm code (system|code, code or |code)',
    },
    {
      name: 'status',
      type: 'token',
      expression: 'MedicationRequest.status',
      description: 'active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown',
    },
    {
      name: 'intent',
      type: 'token',
      expression: 'MedicationRequest.intent',
      description:
        'proposal | plan | order | original-order | reflex-order | filler-order | instance-order | option',
    },
    {
      name: 'authoredon',
      type: 'date',
      expression: 'MedicationRequest.authoredOn',
      description: 'When the prescription was initially written',
    },
  ],
  sorts: ['authoredon', 'status', 'code'],
});

export const medicationRequestResolvers = typeResolvers(medicationRequestSearch);

/** The patient's prescriptions (one query for every patient resolved in the same tick). */
export const medicationRequestsOfPatient = edgeResolvers(medicationRequestSearch, 'Patient');

/** The prescriptions written in an encounter (batched across encounters). */
export const medicationRequestsOfEncounter = edgeResolvers(medicationRequestSearch, 'Encounter');
