/** Patient: its search and its reads. See https://hl7.org/fhir/R4/patient.html#search */
import { defineSearch, STRING_MODIFIERS } from '../src/fhir/search-parameters';
import { typeResolvers } from './resource';

export const patientSearch = defineSearch({
  type: 'Patient',
  params: [
    {
      name: 'identifier',
      type: 'token',
      expression: 'Patient.identifier',
      description: 'A patient identifier (system|value; values are matched in tokenized form)',
    },
    {
      name: 'name',
      type: 'string',
      expression: 'Patient.name',
      description: 'Any part of a name (family, given, prefix, suffix, text)',
      modifiers: STRING_MODIFIERS,
    },
    {
      name: 'family',
      type: 'string',
      expression: 'Patient.name.family',
      description: 'The family name',
      modifiers: STRING_MODIFIERS,
    },
    {
      name: 'given',
      type: 'string',
      expression: 'Patient.name.given',
      description: 'A given name',
      modifiers: STRING_MODIFIERS,
    },
    {
      name: 'birthdate',
      type: 'date',
      expression: 'Patient.birthDate',
      description: "The patient's date of birth",
    },
    {
      name: 'gender',
      type: 'token',
      expression: 'Patient.gender',
      description: 'male | female | other | unknown',
    },
  ],
  sorts: ['birthdate', 'family', 'given', 'gender'],
});

export const patientResolvers = typeResolvers(patientSearch);
