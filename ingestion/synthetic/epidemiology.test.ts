import type { Condition, Observation, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  correlation,
  mean,
  median,
  type PatientFacts,
  patientFacts,
  summarizeFacts,
} from '../../test/support/cohort-statistics';
import { type CohortOptions, generatePatientRecord } from '.';

const AS_OF = '2026-01-01';
const YEAR_MS = 365.25 * 86_400_000;

interface Treated {
  atDiagnosis: number;
  latest: number;
}

/** Generates in memory (no disk) and reads the facts back out of the FHIR resources. */
function study(options: CohortOptions) {
  const facts: PatientFacts[] = [];
  const treated: Treated[] = [];
  for (let i = 0; i < options.patients; i++) {
    const { resources } = generatePatientRecord(options, i);
    facts.push(patientFacts(resources, AS_OF));
    const t = treatmentResponse(resources);
    if (t) treated.push(t);
  }
  return { facts, treated, summary: summarizeFacts(facts) };
}

/** For a diabetes diagnosed at a visit over a year before as-of: HbA1c then and most recently. */
function treatmentResponse(resources: Resource[]): Treated | undefined {
  const dx = resources.find(
    (r): r is Condition =>
      r.resourceType === 'Condition' &&
      r.code?.coding?.[0]?.code === '44054006' &&
      r.category?.[0]?.coding?.[0]?.code === 'encounter-diagnosis',
  );
  if (!dx || Date.parse(AS_OF) - Date.parse(dx.recordedDate!) < YEAR_MS) return undefined;
  const a1c = resources
    .filter(
      (r): r is Observation => r.resourceType === 'Observation' && r.code.coding?.[0]?.code === '4548-4',
    )
    .sort((a, b) => (a.effectiveDateTime! < b.effectiveDateTime! ? -1 : 1));
  const atDiagnosis = a1c.find((o) => o.encounter?.reference === dx.encounter?.reference);
  const latest = a1c.at(-1);
  if (!atDiagnosis || !latest || latest === atDiagnosis) return undefined;
  return { atDiagnosis: atDiagnosis.valueQuantity!.value!, latest: latest.valueQuantity!.value! };
}

function skewness(xs: number[]): number {
  const m = mean(xs);
  const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
  return mean(xs.map((x) => ((x - m) / sd) ** 3));
}

let population: ReturnType<typeof study>;
let enriched: ReturnType<typeof study>;

beforeAll(() => {
  population = study({ patients: 10_000, orgs: 3, seed: 2026 });
  enriched = study({ patients: 4_000, orgs: 3, seed: 2026, enrich: true });
}, 600_000);

describe('the default 10,000-patient cohort, read back from its FHIR resources', () => {
  it('has a right-skewed BMI with ≈40 % at 30 or more and ≈9 % at 40 or more', () => {
    const { summary, facts } = population;
    expect(summary.bmiAtLeast30).toBeGreaterThan(0.37);
    expect(summary.bmiAtLeast30).toBeLessThan(0.43);
    expect(summary.bmiAtLeast40).toBeGreaterThan(0.075);
    expect(summary.bmiAtLeast40).toBeLessThan(0.11);
    const bmi = facts.map((f) => f.bmi!);
    expect(bmi.every((b) => b > 14 && b < 76)).toBe(true);
    expect(skewness(bmi)).toBeGreaterThan(0.5);
    expect(facts.filter((f) => f.obesity || f.severeObesity).length / facts.length).toBeCloseTo(
      summary.bmiAtLeast30,
      2,
    );
  });

  it('has type 2 diabetes at ≈5 / 19 / 29 % in the 18–44 / 45–64 / 65+ bands, more common with higher BMI', () => {
    const { summary } = population;
    expect(summary.diabetes18to44).toBeGreaterThan(0.035);
    expect(summary.diabetes18to44).toBeLessThan(0.07);
    expect(summary.diabetes45to64).toBeGreaterThan(0.16);
    expect(summary.diabetes45to64).toBeLessThan(0.22);
    expect(summary.diabetes65plus).toBeGreaterThan(0.25);
    expect(summary.diabetes65plus).toBeLessThan(0.33);
    expect(summary.meanBmiDiabetic - summary.meanBmiNonDiabetic).toBeGreaterThan(3);
  });

  it('has HbA1c near 5.4 % without diabetes, 5.7–6.4 % in prediabetes, and a right-skewed ≈7 % median in treated diabetes', () => {
    const { summary, facts } = population;
    expect(summary.hba1cMedianNoDiabetes).toBeGreaterThanOrEqual(5.3);
    expect(summary.hba1cMedianNoDiabetes).toBeLessThanOrEqual(5.5);
    const pre = facts.filter((f) => f.prediabetes && f.hba1c !== undefined).map((f) => f.hba1c!);
    expect(pre.length).toBeGreaterThan(1000);
    expect(pre.every((x) => x >= 5.7 && x <= 6.4)).toBe(true);
    expect(summary.hba1cMedianDiabetes).toBeGreaterThanOrEqual(7.0);
    expect(summary.hba1cMedianDiabetes).toBeLessThanOrEqual(7.4);
    expect(summary.diabeticsUnder7).toBeGreaterThan(0.4);
    expect(summary.diabeticsUnder7).toBeLessThan(0.55);
    const diabetic = facts.filter((f) => f.diabetes && f.hba1c !== undefined).map((f) => f.hba1c!);
    expect(skewness(diabetic)).toBeGreaterThan(0.5);
  });

  it('shows HbA1c falling after a diabetes diagnosis (treatment response)', () => {
    const { treated } = population;
    expect(treated.length).toBeGreaterThan(50);
    expect(mean(treated.map((t) => t.atDiagnosis)) - mean(treated.map((t) => t.latest))).toBeGreaterThan(0.7);
  });

  it('has heart failure in 2–3 % of adults, older and more often diabetic and obese', () => {
    const { summary, facts } = population;
    expect(summary.heartFailure).toBeGreaterThan(0.02);
    expect(summary.heartFailure).toBeLessThan(0.03);
    expect(summary.meanAgeHeartFailure - summary.meanAgeNoHeartFailure).toBeGreaterThan(15);
    const hf = facts.filter((f) => f.heartFailure);
    const rest = facts.filter((f) => !f.heartFailure);
    const share = (xs: PatientFacts[], p: (f: PatientFacts) => boolean) => xs.filter(p).length / xs.length;
    expect(share(hf, (f) => f.diabetes)).toBeGreaterThan(2 * share(rest, (f) => f.diabetes));
    expect(share(hf, (f) => f.bmi! >= 30)).toBeGreaterThan(share(rest, (f) => f.bmi! >= 30));
  });

  it('splits heart failure into HFrEF, HFmrEF and HFpEF by the latest ejection fraction', () => {
    const { summary } = population;
    expect(summary.hfref).toBeGreaterThan(0.3);
    expect(summary.hfref).toBeLessThan(0.6);
    expect(summary.hfmref).toBeGreaterThan(0.07);
    expect(summary.hfmref).toBeLessThan(0.25);
    expect(summary.hfpef).toBeGreaterThan(0.25);
    expect(summary.hfpef).toBeLessThan(0.55);
    expect(summary.hfref + summary.hfmref + summary.hfpef).toBeCloseTo(1, 6);
  });

  it('has a lognormal NT-proBNP, higher with age and reduced ejection fraction, lower with BMI', () => {
    const { summary, facts } = population;
    expect(summary.ntProBnpMedianHf).toBeGreaterThan(5 * summary.ntProBnpMedianNoHf);
    const measured = facts.filter((f) => !f.heartFailure && f.ntProBnp !== undefined);
    expect(measured.length).toBeGreaterThan(200);
    const logs = measured.map((f) => Math.log(f.ntProBnp!));
    expect(Math.abs(skewness(logs))).toBeLessThan(0.6);
    expect(skewness(measured.map((f) => f.ntProBnp!))).toBeGreaterThan(1);
    expect(
      correlation(
        measured.map((f) => f.age),
        logs,
      ),
    ).toBeGreaterThan(0.3);
    expect(
      correlation(
        measured.map((f) => f.bmi!),
        logs,
      ),
    ).toBeLessThan(-0.05);
    const hf = facts.filter((f) => f.heartFailure && f.ntProBnp !== undefined && f.lvef !== undefined);
    const reduced = median(hf.filter((f) => f.lvef! <= 40).map((f) => f.ntProBnp!));
    const preserved = median(hf.filter((f) => f.lvef! >= 50).map((f) => f.ntProBnp!));
    expect(reduced).toBeGreaterThan(1.5 * preserved);
  });
});

describe('--enrich', () => {
  it('raises the shares of obesity, diabetes and heart failure', () => {
    const p = population.summary;
    const e = enriched.summary;
    expect(e.bmiAtLeast30).toBeGreaterThan(p.bmiAtLeast30 + 0.1);
    expect(e.diabetes).toBeGreaterThan(1.6 * p.diabetes);
    expect(e.heartFailure).toBeGreaterThan(3 * p.heartFailure);
    expect(e.meanAgeHeartFailure - e.meanAgeNoHeartFailure).toBeGreaterThan(10);
  });
});
