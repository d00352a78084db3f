import { describe, expect, it } from 'vitest';
import { validateLine } from './validate-line';

const under = { org: 'org-a', type: 'Patient' };
const line = (value: unknown) => JSON.stringify(value);

describe('validateLine', () => {
  it('refuses a lone surrogate escape, in a value or a key, and accepts a surrogate pair', () => {
    const lone = validateLine('{"resourceType":"Patient","id":"p1","text":"\\ud800x"}', under);
    expect(lone).toEqual({
      ok: false,
      code: 'not-json',
      reason: 'not-json: the line has a lone UTF-16 surrogate escape (not Unicode text)',
    });
    expect(validateLine('{"resourceType":"Patient","id":"p1","\\uDC00":1}', under)).toMatchObject({
      ok: false,
      code: 'not-json',
    });
    expect(validateLine('{"resourceType":"Patient","id":"p1","text":"\\ud83d\\ude00"}', under)).toMatchObject(
      {
        ok: true,
        resource: { text: '\u{1F600}' },
      },
    );
  });

  it('accepts a resource of the key type and organization, with its id and parsed body', () => {
    const patient = {
      resourceType: 'Patient',
      id: 'p-1.2',
      managingOrganization: { reference: 'Organization/org-a' },
    };
    expect(validateLine(line(patient), under)).toEqual({
      ok: true,
      resourceType: 'Patient',
      id: 'p-1.2',
      resource: patient,
    });
  });

  it('accepts a MedicationRequest under a MedicationRequest key (it names no organization, like a Condition)', () => {
    const request = {
      resourceType: 'MedicationRequest',
      id: 'mr-1',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/p-1' },
      encounter: { reference: 'Encounter/e-1' },
    };
    expect(validateLine(line(request), { org: 'org-a', type: 'MedicationRequest' })).toEqual({
      ok: true,
      resourceType: 'MedicationRequest',
      id: 'mr-1',
      resource: request,
    });
    expect(validateLine(line(request), { org: 'org-a', type: 'Condition' })).toMatchObject({
      ok: false,
      code: 'type-mismatch',
    });
  });

  it.each([
    ['not JSON', '{"resourceType":"Patient",', under, 'not-json: the line is not valid JSON'],
    ['an array', '[1,2]', under, 'not-an-object: the line is a JSON array, not a resource object'],
    ['null', 'null', under, 'not-an-object: the line is a JSON null, not a resource object'],
    ['a string', '"Patient"', under, 'not-an-object: the line is a JSON string, not a resource object'],
    [
      'without resourceType',
      line({ id: 'p1' }),
      under,
      'missing-resource-type: the resource has no resourceType',
    ],
    ['without id', line({ resourceType: 'Patient' }), under, 'missing-id: the resource has no id'],
    [
      'with an empty id',
      line({ resourceType: 'Patient', id: '' }),
      under,
      'missing-id: the resource has no id',
    ],
    [
      'with an id outside the FHIR id syntax',
      line({ resourceType: 'Patient', id: 'p 1/x' }),
      under,
      'invalid-id: the id is not a FHIR id ([A-Za-z0-9-.]{1,64})',
    ],
    [
      'with a 65-character id',
      line({ resourceType: 'Patient', id: 'a'.repeat(65) }),
      under,
      'invalid-id: the id is not a FHIR id ([A-Za-z0-9-.]{1,64})',
    ],
    [
      'with a numeric id',
      line({ resourceType: 'Patient', id: 12 }),
      under,
      'invalid-id: the id is not a FHIR id ([A-Za-z0-9-.]{1,64})',
    ],
    [
      'of an unsupported type',
      line({ resourceType: 'Medication', id: 'm1' }),
      { org: 'org-a', type: 'Medication' },
      'unsupported-type: Medication has no raw table (supported: Organization, Patient, Encounter, Observation, Condition, MedicationRequest)',
    ],
    [
      'of another type than its key',
      line({ resourceType: 'Encounter', id: 'e1' }),
      under,
      'type-mismatch: resourceType Encounter under a type=Patient key',
    ],
    [
      'managed by another organization',
      line({ resourceType: 'Patient', id: 'p1', managingOrganization: { reference: 'Organization/org-b' } }),
      under,
      'organization-mismatch: the resource names organization org-b, the key org=org-a',
    ],
    [
      'served by another organization',
      line({
        resourceType: 'Encounter',
        id: 'e1',
        serviceProvider: { reference: 'https://x.org/fhir/Organization/org-b' },
      }),
      { org: 'org-a', type: 'Encounter' },
      'organization-mismatch: the resource names organization org-b, the key org=org-a',
    ],
    [
      'an Organization that is not the key organization',
      line({ resourceType: 'Organization', id: 'org-b' }),
      { org: 'org-a', type: 'Organization' },
      'organization-mismatch: the resource names organization org-b, the key org=org-a',
    ],
  ])('refuses a line %s', (_, text, expectation, reason) => {
    expect(validateLine(text, expectation)).toEqual({ ok: false, code: reason.split(':')[0], reason });
  });

  it('accepts an Organization that is the key organization and an Encounter served by it', () => {
    expect(
      validateLine(line({ resourceType: 'Organization', id: 'org-a' }), {
        org: 'org-a',
        type: 'Organization',
      }),
    ).toMatchObject({ ok: true, id: 'org-a' });
    const encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      serviceProvider: { reference: 'Organization/org-a' },
    };
    expect(validateLine(line(encounter), { org: 'org-a', type: 'Encounter' })).toMatchObject({
      ok: true,
      id: 'e1',
    });
  });

  it('never copies free text from the line into the reason', () => {
    const verdict = validateLine(line({ resourceType: 'Jane Doe 1970-01-01', id: 'p1' }), under);
    expect(verdict).toEqual({
      ok: false,
      code: 'unsupported-type',
      reason:
        'unsupported-type: (an invalid name) has no raw table (supported: Organization, Patient, Encounter, Observation, Condition, MedicationRequest)',
    });
  });
});
