/** Patient: reads and searches. See https://hl7.org/fhir/R4/patient.html#search */
import { typeResolvers } from './resource';

export const patientResolvers = typeResolvers('Patient');
