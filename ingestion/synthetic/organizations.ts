/**
 * The organizations (tenants) of a cohort: `org-1` … `org-K`, each a provider in its own metro
 * area with an NPI, an address and a phone number.
 *
 * See: https://hl7.org/fhir/R4/organization.html
 */
import type { Organization } from '@medplum/fhirtypes';
import { METROS, type Metro, organizationName, STREET_NAMES } from './demographics';
import { hash32 } from './random';
import { SYSTEM } from './terminology';

/** The organization id (and tenant id) of organization `n`, 1-based. */
export const organizationId = (n: number): string => `org-${n}`;

/** The organization a patient belongs to: patients are dealt round-robin. */
export const organizationOf = (index: number, orgs: number): number => (index % orgs) + 1;

export const metroOf = (n: number): Metro => METROS[(n - 1) % METROS.length]!;

/**
 * An NPI: 9 digits and a Luhn check digit computed over the `80840` prefix.
 * See: https://www.cms.gov/Regulations-and-Guidance/Administrative-Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf
 */
export function npi(body: number): string {
  const nine = String(100_000_000 + (body % 900_000_000)).slice(0, 9);
  const digits = `80840${nine}`;
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]) * (double ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return `${nine}${(10 - (sum % 10)) % 10}`;
}

/** Organization `n` of a cohort with `seed`; `asOfMs` dates its last update (a year before). */
export function buildOrganization(seed: number, n: number, asOfMs: number): Organization {
  const metro = metroOf(n);
  const h = hash32(seed, n, 0, 77);
  const city = metro.cities[0]!;
  return {
    resourceType: 'Organization',
    id: organizationId(n),
    meta: { lastUpdated: `${new Date(asOfMs - 365 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z` },
    identifier: [{ use: 'official', system: SYSTEM.npi, value: npi(h) }],
    active: true,
    type: [{ coding: [{ system: SYSTEM.organizationType, code: 'prov', display: 'Healthcare Provider' }] }],
    name: organizationName(n, metro),
    telecom: [
      { system: 'phone', value: `${metro.areaCode}-555-${String(h % 10_000).padStart(4, '0')}`, use: 'work' },
    ],
    address: [
      {
        use: 'work',
        line: [`${(h % 900) + 100} ${STREET_NAMES[h % STREET_NAMES.length]} Ave`],
        city,
        state: metro.state,
        postalCode: `${metro.zipPrefix}${String((h >>> 8) % 100).padStart(2, '0')}`,
        country: 'US',
      },
    ],
  };
}
