import type { Condition, Encounter, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { mean } from '../../test/support/cohort-statistics';
import { type CohortOptions, generatePatientRecord } from '.';

const AS_OF = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365.25 * 86_400_000;
const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const GLUCOSE_LOWERING = ['861007', '1545653', '1991302', '274783'];
const CODES = {
  metformin: '861007',
  statin: '83367',
  aceInhibitorOrArb: ['314076', '979492'],
  betaBlocker: ['200032', '866427'],
  loopDiuretic: '313988',
  mra: '313096',
  glp1: '1991302',
};

/** One patient read back from their resources, as an analyst would. */
interface Chart {
  conditions: Set<string>;
  requests: MedicationRequest[];
  encounters: Map<string, Encounter>;
  observations: Observation[];
  latestLvef?: number;
  latestBmi?: number;
}

function chartOf(resources: Resource[]): Chart {
  const chart: Chart = { conditions: new Set(), requests: [], encounters: new Map(), observations: [] };
  for (const r of resources) {
    if (r.resourceType === 'Condition') {
      const c = r as Condition;
      if (c.clinicalStatus?.coding?.[0]?.code === 'active') chart.conditions.add(c.code!.coding![0]!.code!);
    } else if (r.resourceType === 'MedicationRequest') chart.requests.push(r as MedicationRequest);
    else if (r.resourceType === 'Encounter') chart.encounters.set(`Encounter/${r.id}`, r as Encounter);
    else if (r.resourceType === 'Observation') chart.observations.push(r as Observation);
  }
  chart.observations.sort((a, b) => (a.effectiveDateTime! < b.effectiveDateTime! ? -1 : 1));
  chart.latestLvef = values(chart, '10230-1').at(-1)?.value;
  chart.latestBmi = values(chart, '39156-5').at(-1)?.value;
  return chart;
}

function values(chart: Chart, loinc: string): { at: number; value: number }[] {
  return chart.observations
    .filter((o) => o.code.coding?.[0]?.code === loinc && o.valueQuantity?.value !== undefined)
    .map((o) => ({ at: Date.parse(o.effectiveDateTime!), value: o.valueQuantity!.value! }));
}

const codeOf = (r: MedicationRequest) => r.medicationCodeableConcept!.coding![0]!.code!;
const has = (chart: Chart, codes: string | string[]) =>
  chart.requests.some((r) => ([] as string[]).concat(codes).includes(codeOf(r)));
const share = (charts: Chart[], p: (c: Chart) => boolean) => charts.filter(p).length / charts.length;
const firstAuthored = (chart: Chart, code: string) =>
  Math.min(...chart.requests.filter((r) => codeOf(r) === code).map((r) => Date.parse(r.authoredOn!)));

let charts: Chart[];

beforeAll(() => {
  const options: CohortOptions = { patients: 10_000, orgs: 3, seed: 2026 };
  charts = [];
  for (let i = 0; i < options.patients; i++)
    charts.push(chartOf(generatePatientRecord(options, i).resources));
}, 600_000);

describe('prescriptions in the default 10,000-patient cohort, read back from its FHIR resources', () => {
  it('treats ≈ 3 in 4 diagnosed type 2 diabetics with a glucose-lowering drug, metformin first', () => {
    const diabetic = charts.filter((c) => c.conditions.has('44054006'));
    expect(diabetic.length).toBeGreaterThan(1000);
    const treated = diabetic.filter((c) => has(c, GLUCOSE_LOWERING));
    expect(treated.length / diabetic.length).toBeGreaterThan(0.68);
    expect(treated.length / diabetic.length).toBeLessThan(0.85);
    expect(share(treated, (c) => has(c, CODES.metformin))).toBeGreaterThan(0.78);
    expect(share(treated, (c) => has(c, CODES.metformin))).toBeLessThan(0.92);
    expect(share(treated, (c) => has(c, '1545653'))).toBeGreaterThan(0.08);
    expect(share(treated, (c) => has(c, '1545653'))).toBeLessThan(0.3);
    expect(share(treated, (c) => has(c, '274783'))).toBeGreaterThan(0.1);
    expect(share(treated, (c) => has(c, '274783'))).toBeLessThan(0.3);
    expect(share(diabetic, (c) => has(c, CODES.statin))).toBeGreaterThan(0.45);
    expect(share(diabetic, (c) => has(c, CODES.statin))).toBeLessThan(0.65);
  });

  it('gives HFrEF guideline-directed therapy at CHAMP-HF rates, and a loop diuretic to nearly all heart failure', () => {
    const hf = charts.filter((c) => c.conditions.has('88805009'));
    const hfref = hf.filter((c) => c.latestLvef !== undefined && c.latestLvef <= 40);
    expect(hfref.length).toBeGreaterThan(60);
    expect(share(hfref, (c) => has(c, CODES.aceInhibitorOrArb))).toBeGreaterThan(0.6);
    expect(share(hfref, (c) => has(c, CODES.aceInhibitorOrArb))).toBeLessThan(0.86);
    expect(share(hfref, (c) => has(c, CODES.betaBlocker))).toBeGreaterThan(0.54);
    expect(share(hfref, (c) => has(c, CODES.betaBlocker))).toBeLessThan(0.8);
    expect(share(hfref, (c) => has(c, CODES.mra))).toBeGreaterThan(0.2);
    expect(share(hfref, (c) => has(c, CODES.mra))).toBeLessThan(0.46);
    expect(share(hf, (c) => has(c, CODES.loopDiuretic))).toBeGreaterThan(0.95);
  });

  it('prescribes a GLP-1 RA for a few obese adults without diabetes, and nothing without an indication', () => {
    const obese = charts.filter((c) => !c.conditions.has('44054006') && (c.latestBmi ?? 0) >= 30);
    expect(share(obese, (c) => has(c, CODES.glp1))).toBeGreaterThan(0.02);
    expect(share(obese, (c) => has(c, CODES.glp1))).toBeLessThan(0.09);
    const indicated = ['44054006', '88805009', '38341003', '162864005', '408512008'];
    const healthy = charts.filter(
      (c) => indicated.every((code) => !c.conditions.has(code)) && (c.latestBmi ?? 0) < 28,
    );
    expect(healthy.length).toBeGreaterThan(2000);
    expect(healthy.filter((c) => c.requests.length > 0)).toEqual([]);
  });

  it('orders every prescription at one of the patient’s encounters, authored at its start, with RxNorm codes and dosage text', () => {
    const requests = charts.flatMap((c) => c.requests.map((r) => ({ r, c })));
    expect(requests.length).toBeGreaterThan(3000);
    for (const { r, c } of requests) {
      const encounter = c.encounters.get(r.encounter!.reference!);
      expect(encounter?.subject?.reference).toBe(r.subject.reference);
      expect(r.authoredOn).toBe(encounter!.period!.start);
      expect(r.intent).toBe('order');
      expect(r.requester).toBeUndefined();
      expect(r.medicationCodeableConcept!.coding![0]!.system).toBe(RXNORM);
      expect(r.dosageInstruction![0]!.text).toMatch(/\d/);
    }
    const statuses = new Map<string, number>();
    for (const { r } of requests) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect([...statuses.keys()].sort()).toEqual(['active', 'completed', 'stopped']);
    expect(statuses.get('active')! / requests.length).toBeGreaterThan(0.85);
    const ended = requests.filter(({ r }) => r.status !== 'active');
    for (const { r } of ended) {
      const { start, end } = r.dosageInstruction![0]!.timing!.repeat!.boundsPeriod!;
      expect(Date.parse(end!)).toBeGreaterThan(Date.parse(start!));
      expect(Date.parse(end!)).toBeLessThan(AS_OF);
    }
  });

  it('shows HbA1c falling after metformin is first ordered', () => {
    const pairs = charts.flatMap((c) => {
      const started = firstAuthored(c, CODES.metformin);
      if (!Number.isFinite(started) || AS_OF - started < YEAR_MS) return [];
      const a1c = values(c, '4548-4');
      const atStart = a1c.find((v) => Math.abs(v.at - started) < 86_400_000);
      const latest = a1c.at(-1);
      return atStart && latest && latest.at - started > 0.5 * YEAR_MS ? [{ atStart, latest }] : [];
    });
    expect(pairs.length).toBeGreaterThan(100);
    expect(mean(pairs.map((p) => p.atStart.value - p.latest.value))).toBeGreaterThan(0.7);
  });

  it('shows LDL ≈ 30 % lower after a statin is first ordered, and flat without one', () => {
    const ratio = (c: Chart, from: number) => {
      const ldl = values(c, '18262-6');
      const before = ldl.filter((v) => v.at < from);
      const after = ldl.filter((v) => v.at > from + 0.5 * YEAR_MS);
      return before.length && after.length
        ? mean(after.map((v) => v.value)) / mean(before.map((v) => v.value))
        : undefined;
    };
    const onStatin = charts
      .map((c) => ratio(c, firstAuthored(c, CODES.statin)))
      .filter((x): x is number => x !== undefined);
    const without = charts
      .filter((c) => !has(c, CODES.statin))
      .map((c) => ratio(c, AS_OF - 2 * YEAR_MS))
      .filter((x): x is number => x !== undefined);
    expect(onStatin.length).toBeGreaterThan(100);
    expect(without.length).toBeGreaterThan(100);
    expect(mean(onStatin)).toBeGreaterThan(0.6);
    expect(mean(onStatin)).toBeLessThan(0.8);
    expect(mean(without)).toBeGreaterThan(0.93);
    expect(mean(without)).toBeLessThan(1.07);
  });
});
