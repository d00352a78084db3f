/** Object refs of the resource types, declared apart from their fields so edges can point both ways. */
import type { ResourceRow } from '../../resolvers';
import { builder } from './builder';

export const PatientRef = builder.objectRef<ResourceRow>('Patient');
export const EncounterRef = builder.objectRef<ResourceRow>('Encounter');
export const ObservationRef = builder.objectRef<ResourceRow>('Observation');
export const ConditionRef = builder.objectRef<ResourceRow>('Condition');
export const MedicationRequestRef = builder.objectRef<ResourceRow>('MedicationRequest');

const parsed = new WeakMap<ResourceRow, Record<string, unknown>>();

/** The row's FHIR resource, parsed once per row object. */
export function fhir(row: ResourceRow): Record<string, unknown> {
  let value = parsed.get(row);
  if (!value) {
    value = JSON.parse(row.resource) as Record<string, unknown>;
    parsed.set(row, value);
  }
  return value;
}
