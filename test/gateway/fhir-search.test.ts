import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, openTestApp } from '../support/app';
import { buildTestWarehouse, type RawResource, type TestWarehouse } from '../support/cohort';
import {
  codings,
  createExpectations,
  dateMatches,
  dayPeriod,
  implicitRange,
  nameParts,
  stringMatch,
} from './expectations';

type Json = Record<string, unknown>;
let tw: TestWarehouse;
let x: ReturnType<typeof createExpectations>;
let org: string;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  tw = await buildTestWarehouse({ patients: 40, orgs: 2, seed: 7 });
  x = createExpectations(tw);
  org = tw.organizations[0]!;
  client = createClient(await openTestApp({ trust: 'headers', warehouse: tw }), org);
});
afterAll(() => tw.close());

const sorted = (ids: string[]) => [...ids].sort();
const search = async (path: string) => sorted(await client.walk(path));
const nonEmpty = (ids: string[]) => {
  expect(ids.length).toBeGreaterThan(0);
  return ids;
};

describe('Patient search', () => {
  it('finds patients by _id, comma meaning OR', async () => {
    const [a, b] = x.ids('Patient', org, () => true);
    expect(await search(`Patient?_id=${a},${b}`)).toEqual(sorted([a!, b!]));
  });

  it('finds a patient by identifier system|value and by value alone, tokenized with the warehouse key', async () => {
    const p = x.resources('Patient', org)[3]!.resource;
    const mrn = (p.identifier as Json[]).find((i) => String(i.system).includes('mrn'))!;
    const want = [x.token(org, 'Patient', p.id)];
    expect(await search(`Patient?identifier=${encodeURIComponent(`${mrn.system}|${mrn.value}`)}`)).toEqual(
      want,
    );
    expect(await search(`Patient?identifier=${encodeURIComponent(String(mrn.value))}`)).toEqual(want);
    expect(
      await search(`Patient?identifier=${encodeURIComponent(`http://other.example|${mrn.value}`)}`),
    ).toEqual([]);
  });

  it('finds patients by identifier system alone, by two values (OR), and by identifier:missing', async () => {
    const mrns = (r: RawResource) =>
      (
        (r.identifier ?? []) as { system: string; value: string; type?: { coding?: { code: string }[] } }[]
      ).filter((i) => i.type?.coding?.some((c) => c.code === 'MR'));
    const [a, b] = x.resources('Patient', org).filter((r) => mrns(r.resource).length > 0);
    const [mrnA, mrnB] = [mrns(a!.resource)[0]!, mrns(b!.resource)[0]!];
    const bySystem = nonEmpty(x.ids('Patient', org, (r) => mrns(r).some((i) => i.system === mrnA.system)));
    expect(await search(`Patient?identifier=${encodeURIComponent(`${mrnA.system}|`)}`)).toEqual(bySystem);
    const either = `${mrnA.system}|${mrnA.value},${mrnB.system}|${mrnB.value}`;
    expect(await search(`Patient?identifier=${encodeURIComponent(either)}`)).toEqual(
      sorted([x.token(org, 'Patient', a!.resource.id), x.token(org, 'Patient', b!.resource.id)]),
    );
    expect(await search('Patient?identifier:missing=false')).toEqual(
      nonEmpty(x.ids('Patient', org, (r) => mrns(r).length > 0)),
    );
    expect(await search('Patient?identifier:missing=true')).toEqual(
      x.ids('Patient', org, (r) => mrns(r).length === 0),
    );
  });

  it('never finds a patient by a social security number', async () => {
    const p = x.resources('Patient', org)[3]!.resource;
    const ssn = (p.identifier as Json[]).find((i) => String(i.system).includes('ssn'));
    expect(ssn).toBeDefined();
    expect(await search(`Patient?identifier=${encodeURIComponent(String(ssn!.value))}`)).toEqual([]);
  });

  const strip = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '');
  const cases = (): [string, string, 'exact' | 'contains' | undefined][] => {
    const accented = x
      .resources('Patient', org)
      .find((r) => /\P{ASCII}/u.test(nameParts(r.resource, 'family')[0] ?? ''));
    const p = (accented ?? x.resources('Patient', org)[0]!).resource;
    const family = nameParts(p, 'family')[0]!;
    const given = nameParts(p, 'given')[0]!;
    return [
      ['name', strip(family).slice(0, 3).toLowerCase(), undefined],
      ['name', family.toUpperCase(), undefined],
      ['name', strip(given).slice(1, 4), 'contains'],
      ['family', strip(family).toLowerCase(), undefined],
      ['family', family, 'exact'],
      ['family', family.toLowerCase(), 'exact'],
      ['given', given.slice(0, 2), undefined],
      ['given', given, 'exact'],
      ['given', strip(given).slice(1), 'contains'],
    ];
  };
  it('matches name, family and given by prefix, :contains and :exact, case- and accent-insensitively unless exact', async () => {
    for (const [param, value, modifier] of cases()) {
      const want = x.ids('Patient', org, (p) => stringMatch(nameParts(p, param as 'name'), value, modifier));
      const got = await search(
        `Patient?${param}${modifier ? `:${modifier}` : ''}=${encodeURIComponent(value)}`,
      );
      expect(got, `${param}:${modifier}=${value}`).toEqual(want);
      if (!(modifier === 'exact' && value === value.toLowerCase())) nonEmpty(got);
    }
  });

  const birthdates = ['1975', '1975-03', '1975-03-14', '1980-01-01T00:00:00Z'];
  const prefixes = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb'];
  it.each(prefixes.flatMap((p) => birthdates.map((d) => [p, d] as const)))(
    'matches birthdate=%s%s with the implicit range of a partial date',
    async (prefix, date) => {
      const [start, end] = implicitRange(date);
      const want = x.ids('Patient', org, (p) =>
        dateMatches(prefix, start, end, ...dayPeriod(p.birthDate as string)),
      );
      expect(await search(`Patient?birthdate=${prefix}${encodeURIComponent(date)}`)).toEqual(want);
    },
  );

  it('matches gender with or without its code system', async () => {
    const want = nonEmpty(x.ids('Patient', org, (p) => p.gender === 'female'));
    expect(await search('Patient?gender=female')).toEqual(want);
    expect(
      await search(
        `Patient?gender=${encodeURIComponent('http://hl7.org/fhir/administrative-gender|female')}`,
      ),
    ).toEqual(want);
    expect(await search(`Patient?gender=${encodeURIComponent('http://other|female')}`)).toEqual([]);
  });

  it('ANDs repeated parameters and ORs comma-separated values', async () => {
    const want = x.ids(
      'Patient',
      org,
      (p) => ['male', 'other'].includes(p.gender as string) && String(p.birthDate) >= '1970-01-01',
    );
    expect(await search('Patient?gender=male,other&birthdate=ge1970&birthdate=ge1970-01-01')).toEqual(want);
  });
});

const ref = (r: RawResource, field: string) => x.refId(r[field]);
const periodOf = (e: RawResource): [number | undefined, number | undefined] => {
  const p = e.period as Json | undefined;
  return [
    p?.start ? Date.parse(p.start as string) : undefined,
    p?.end ? Date.parse(p.end as string) : undefined,
  ];
};

describe('Encounter search', () => {
  it("finds a patient's encounters by patient and subject, as id or Patient/id", async () => {
    const patient = x.resources('Encounter', org)[0]!.resource;
    const pid = ref(patient, 'subject')!;
    const token = x.token(org, 'Patient', pid);
    const want = nonEmpty(x.ids('Encounter', org, (e) => ref(e, 'subject') === pid));
    expect(await search(`Encounter?patient=${token}`)).toEqual(want);
    expect(await search(`Encounter?subject=Patient/${token}`)).toEqual(want);
  });

  it.each([
    ['ge2020-01-01'],
    ['lt2019-06'],
    ['eq2021'],
    ['ne2021'],
    ['sa2020-05-01'],
    ['eb2020-05-01'],
    ['gt2022-01-01'],
  ])('matches date=%s against the encounter period, an open period never ending', async (value) => {
    const [start, end] = implicitRange(value.slice(2));
    const want = x.ids('Encounter', org, (e) => dateMatches(value.slice(0, 2), start, end, ...periodOf(e)));
    expect(await search(`Encounter?date=${value}`)).toEqual(want);
  });

  it('matches status and class', async () => {
    expect(await search('Encounter?status=in-progress')).toEqual(
      nonEmpty(x.ids('Encounter', org, (e) => e.status === 'in-progress')),
    );
    expect(await search('Encounter?class=AMB,IMP')).toEqual(
      nonEmpty(x.ids('Encounter', org, (e) => ['AMB', 'IMP'].includes((e.class as Json).code as string))),
    );
  });
});

describe('Observation search', () => {
  const first = () => x.resources('Observation', org)[0]!.resource;
  it.each(['system|code', 'code', '|code', 'system|'])('matches code in the %s form', async (form) => {
    const [system, code] = codings(first().code)[0]!;
    const value =
      form === 'system|code'
        ? `${system}|${code}`
        : form === 'code'
          ? code
          : form === '|code'
            ? `|${code}`
            : `${system}|`;
    const want = x.ids('Observation', org, (o) =>
      codings(o.code).some(([s, c]) =>
        form === 'system|code'
          ? s === system && c === code
          : form === 'code'
            ? c === code
            : form === '|code'
              ? !s && c === code
              : s === system,
      ),
    );
    expect(await search(`Observation?code=${encodeURIComponent(value)}`)).toEqual(want);
    if (form !== '|code') nonEmpty(want);
  });

  it('matches category, patient and encounter', async () => {
    const o = first();
    expect(await search('Observation?category=laboratory')).toEqual(
      nonEmpty(x.ids('Observation', org, (r) => codings(r.category).some(([, c]) => c === 'laboratory'))),
    );
    const pid = ref(o, 'subject')!;
    expect(await search(`Observation?patient=${x.token(org, 'Patient', pid)}`)).toEqual(
      x.ids('Observation', org, (r) => ref(r, 'subject') === pid),
    );
    const eid = ref(o, 'encounter')!;
    expect(await search(`Observation?encounter=Encounter/${x.token(org, 'Encounter', eid)}`)).toEqual(
      nonEmpty(x.ids('Observation', org, (r) => ref(r, 'encounter') === eid)),
    );
  });

  it.each([['ge2021-06-01'], ['lt2019'], ['eq2020-03']])('matches date=%s on effective[x]', async (value) => {
    const [start, end] = implicitRange(value.slice(2));
    const want = x.ids('Observation', org, (o) => {
      const period = o.effectivePeriod as Json | undefined;
      const lo = Date.parse((o.effectiveDateTime ?? period?.start) as string);
      const hi = o.effectiveDateTime ? lo : Date.parse((period?.end ?? period?.start) as string);
      return dateMatches(value.slice(0, 2), start, end, lo, hi);
    });
    expect(await search(`Observation?date=${value}`)).toEqual(want);
  });

  it.each([
    ['5.7', (v: number) => v >= 5.65 && v < 5.75],
    ['171.6', (v: number) => v >= 171.55 && v < 171.65],
    ['120', (v: number) => v >= 119.5 && v < 120.5],
    ['gt100', (v: number) => v > 100],
    ['le6', (v: number) => v <= 6],
    ['ap70', (v: number) => v >= 63 && v <= 77],
    ['ne72', (v: number) => !(v >= 71.5 && v < 72.5)],
  ] as const)('matches value-quantity=%s with FHIR number precision', async (value, match) => {
    const want = x.ids('Observation', org, (o) => {
      const v = (o.valueQuantity as Json | undefined)?.value;
      return typeof v === 'number' && match(v);
    });
    expect(await search(`Observation?value-quantity=${value}`)).toEqual(want);
  });

  it('restricts value-quantity to a unit given as |system|code or ||code', async () => {
    const want = nonEmpty(
      x.ids('Observation', org, (o) => {
        const q = o.valueQuantity as Json | undefined;
        return !!q && (q.value as number) > 50 && q.code === 'kg';
      }),
    );
    expect(
      await search(`Observation?value-quantity=${encodeURIComponent('gt50|http://unitsofmeasure.org|kg')}`),
    ).toEqual(want);
    expect(await search(`Observation?value-quantity=${encodeURIComponent('gt50||kg')}`)).toEqual(want);
  });
});

describe('Condition search', () => {
  it('matches patient, encounter, code, clinical-status and onset-date', async () => {
    const c = x.resources('Condition', org)[0]!.resource;
    const pid = ref(c, 'subject')!;
    expect(await search(`Condition?patient=${x.token(org, 'Patient', pid)}`)).toEqual(
      nonEmpty(x.ids('Condition', org, (r) => ref(r, 'subject') === pid)),
    );
    const eid = ref(c, 'encounter')!;
    expect(await search(`Condition?encounter=${x.token(org, 'Encounter', eid)}`)).toEqual(
      nonEmpty(x.ids('Condition', org, (r) => ref(r, 'encounter') === eid)),
    );
    const [system, code] = codings(c.code)[0]!;
    expect(await search(`Condition?code=${encodeURIComponent(`${system}|${code}`)}`)).toEqual(
      nonEmpty(x.ids('Condition', org, (r) => codings(r.code).some(([s, k]) => s === system && k === code))),
    );
    expect(await search('Condition?clinical-status=active')).toEqual(
      nonEmpty(x.ids('Condition', org, (r) => codings(r.clinicalStatus).some(([, k]) => k === 'active'))),
    );
    const [start, end] = implicitRange('2020');
    expect(await search('Condition?onset-date=ge2020')).toEqual(
      x.ids('Condition', org, (r) => {
        const onset = (r.onsetDateTime ?? (r.onsetPeriod as Json | undefined)?.start) as string | undefined;
        const t = onset ? Date.parse(onset) : undefined;
        return dateMatches('ge', start, end, t, t);
      }),
    );
  });
});

describe('MedicationRequest search', () => {
  it('matches patient, encounter, code, status, intent and authoredon', async () => {
    const all = x.resources('MedicationRequest', org).map((r) => r.resource);
    const m = all.find((r) => r.status === 'stopped' || r.status === 'completed') ?? all[0]!;
    const pid = ref(m, 'subject')!;
    expect(await search(`MedicationRequest?patient=${x.token(org, 'Patient', pid)}`)).toEqual(
      nonEmpty(x.ids('MedicationRequest', org, (r) => ref(r, 'subject') === pid)),
    );
    const eid = ref(m, 'encounter')!;
    expect(await search(`MedicationRequest?encounter=Encounter/${x.token(org, 'Encounter', eid)}`)).toEqual(
      nonEmpty(x.ids('MedicationRequest', org, (r) => ref(r, 'encounter') === eid)),
    );
    const [system, code] = codings(m.medicationCodeableConcept)[0]!;
    expect(system).toBe('http://www.nlm.nih.gov/research/umls/rxnorm');
    expect(await search(`MedicationRequest?code=${encodeURIComponent(`${system}|${code}`)}`)).toEqual(
      nonEmpty(
        x.ids('MedicationRequest', org, (r) =>
          codings(r.medicationCodeableConcept).some(([s, k]) => s === system && k === code),
        ),
      ),
    );
    for (const status of ['active', String(m.status)]) {
      expect(await search(`MedicationRequest?status=${status}`)).toEqual(
        nonEmpty(x.ids('MedicationRequest', org, (r) => r.status === status)),
      );
    }
    expect(await search('MedicationRequest?status=active,stopped,completed')).toEqual(
      sorted(x.ids('MedicationRequest', org, () => true)),
    );
    expect(
      await search(
        `MedicationRequest?status=${encodeURIComponent('http://hl7.org/fhir/CodeSystem/medicationrequest-status|active')}`,
      ),
    ).toEqual(x.ids('MedicationRequest', org, (r) => r.status === 'active'));
    expect(await search('MedicationRequest?intent=order')).toEqual(
      nonEmpty(x.ids('MedicationRequest', org, (r) => r.intent === 'order')),
    );
    expect(await search('MedicationRequest?intent=plan')).toEqual([]);
    // Around the chosen request's own month, so both sides hold it or its neighbours.
    const month = (m.authoredOn as string).slice(0, 7);
    const [start, end] = implicitRange(month);
    for (const prefix of ['ge', 'le', 'eq'] as const) {
      expect(await search(`MedicationRequest?authoredon=${prefix}${month}`)).toEqual(
        nonEmpty(
          x.ids('MedicationRequest', org, (r) => {
            const t = Date.parse(r.authoredOn as string);
            return dateMatches(prefix, start, end, t, t);
          }),
        ),
      );
    }
  });

  it('sorts by authoredon, newest first, with the id as the tie-break', async () => {
    const page = await client.bundle('MedicationRequest?_sort=-authoredon&_count=1000');
    const dates = (page.entry as { resource: Json }[]).map((e) =>
      Date.parse(e.resource.authoredOn as string),
    );
    expect(dates.length).toBe(x.ids('MedicationRequest', org, () => true).length);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });
});
