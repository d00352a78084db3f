/**
 * The Patient resource: identifiers (MRN, SSN, and for some a driver's licence or passport),
 * name, gender, birth date, address, telecom, US Core race / ethnicity / birth sex extensions
 * and the managing organization.
 *
 * See: https://hl7.org/fhir/R4/patient.html,
 * https://hl7.org/fhir/us/core/STU6.1/StructureDefinition-us-core-race.html
 */
import type { Extension, Identifier, Patient } from '@medplum/fhirtypes';
import type { ClinicalProfile } from './clinical-profile';
import type { RecordContext } from './clinical-resources';
import {
  FAMILY,
  FAMILY_HISPANIC,
  GIVEN_FEMALE,
  GIVEN_FEMALE_HISPANIC,
  GIVEN_MALE,
  GIVEN_MALE_HISPANIC,
  type Metro,
  STREET_NAMES,
  STREET_SUFFIXES,
} from './demographics';
import { hash32, type Random } from './random';
import { ETHNICITY, RACES, SYSTEM } from './terminology';

const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';
const RACE_WEIGHTS = RACES.map((r) => r.weight);

const identifierType = (code: string, display: string) => ({
  coding: [{ system: SYSTEM.identifierType, code, display }],
  text: display,
});
const MR = identifierType('MR', 'Medical record number');
const SS = identifierType('SS', 'Social Security number');
const DL = identifierType('DL', "Driver's license number");
const PPN = identifierType('PPN', 'Passport number');

/** The MRN system of an organization. */
export const mrnSystem = (org: string): string => `http://hospital.example.org/${org}/mrn`;

/** A bijection of [0, 10^8): distinct patients never share an MRN or SSN within a cohort. */
const scramble = (index: number, seed: number, salt: number): number =>
  (index * 7_919 + (hash32(seed, 0, 0, salt) % 100_000_000)) % 100_000_000;

const digits = (random: Random, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(random.int(0, 9));
  return s;
};

const ombExtension = (url: string, coding: { system: string; code: string; display: string }): Extension => ({
  url: `${US_CORE}/${url}`,
  extension: [
    {
      url: 'ombCategory',
      valueCoding: { system: coding.system, code: coding.code, display: coding.display },
    },
    { url: 'text', valueString: coding.display },
  ],
});

function identifiers(ctx: RecordContext, random: Random, metro: Metro): Identifier[] {
  const mrn = `1${String(scramble(ctx.index, ctx.seed, 4_211)).padStart(8, '0')}`;
  const ssn = String(scramble(ctx.index, ctx.seed, 86_113)).padStart(8, '0');
  const out: Identifier[] = [
    { use: 'usual', type: MR, system: mrnSystem(ctx.org), value: mrn },
    {
      use: 'official',
      type: SS,
      system: SYSTEM.ssn,
      value: `9${ssn.slice(0, 2)}-${ssn.slice(2, 4)}-${ssn.slice(4)}`,
    },
  ];
  if (random.chance(0.6)) {
    out.push({
      use: 'official',
      type: DL,
      system: `urn:oid:2.16.840.1.113883.4.3.${Number(metro.fips)}`,
      value: `S${digits(random, 8)}`,
    });
  }
  if (random.chance(0.2))
    out.push({ use: 'official', type: PPN, system: SYSTEM.passportUsa, value: digits(random, 9) });
  return out;
}

/** Builds the Patient resource; `lastUpdatedMs` is the time of the latest activity on the record. */
export function buildPatient(
  ctx: RecordContext,
  profile: ClinicalProfile,
  random: Random,
  metro: Metro,
  lastUpdatedMs: number,
): Patient {
  const hispanic = random.chance(0.18);
  const race = random.weighted(RACES, RACE_WEIGHTS);
  const female = profile.sex === 'female';
  const givenPool = hispanic
    ? female
      ? GIVEN_FEMALE_HISPANIC
      : GIVEN_MALE_HISPANIC
    : female
      ? GIVEN_FEMALE
      : GIVEN_MALE;
  const family = random.pick(hispanic && random.chance(0.85) ? FAMILY_HISPANIC : FAMILY);
  const given = [random.pick(givenPool)];
  if (random.chance(0.35)) given.push(random.pick(givenPool));

  const birthMs = ctx.asOfMs - profile.age * 365.25 * 86_400_000;
  const city = random.pick(metro.cities);
  const phone = `${metro.areaCode}-555-${digits(random, 4)}`;
  const telecom: Patient['telecom'] = [
    { system: 'phone', value: phone, use: random.chance(0.7) ? 'mobile' : 'home' },
  ];
  if (random.chance(0.45)) {
    const local = `${given[0]}.${family}`
      .normalize('NFD')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    telecom.push({ system: 'email', value: `${local}${random.int(1, 99)}@example.org`, use: 'home' });
  }

  return {
    resourceType: 'Patient',
    id: ctx.patientId,
    meta: { lastUpdated: ctx.instant(lastUpdatedMs) },
    extension: [
      ombExtension('us-core-race', race),
      ombExtension('us-core-ethnicity', hispanic ? ETHNICITY.hispanic : ETHNICITY.notHispanic),
      { url: `${US_CORE}/us-core-birthsex`, valueCode: female ? 'F' : 'M' },
    ],
    identifier: identifiers(ctx, random, metro),
    active: true,
    name: [
      { use: 'official', family, given, ...(random.chance(0.3) ? { prefix: [female ? 'Ms.' : 'Mr.'] } : {}) },
    ],
    telecom,
    gender: profile.sex,
    birthDate: new Date(birthMs).toISOString().slice(0, 10),
    address: [
      {
        use: 'home',
        type: 'physical',
        line: [`${random.int(1, 9999)} ${random.pick(STREET_NAMES)} ${random.pick(STREET_SUFFIXES)}`],
        city,
        state: metro.state,
        postalCode: `${metro.zipPrefix}${String(random.int(1, 99)).padStart(2, '0')}`,
        country: 'US',
      },
    ],
    managingOrganization: { reference: `Organization/${ctx.org}` },
  };
}
