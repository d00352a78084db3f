/**
 * Reads the population statistics back out of generated FHIR resources — what a analyst would
 * compute from the landed data, not from the generator's internals. Used by the epidemiology
 * tests and the README figures.
 */
import type { Condition, Observation, Patient, Resource } from '@medplum/fhirtypes';

export interface PatientFacts {
  age: number;
  sex: string;
  bmi?: number;
  hba1c?: number;
  ntProBnp?: number;
  lvef?: number;
  ldl?: number;
  diabetes: boolean;
  prediabetes: boolean;
  heartFailure: boolean;
  hypertension: boolean;
  obesity: boolean;
  severeObesity: boolean;
}

const LATEST: Record<string, keyof PatientFacts> = {
  '39156-5': 'bmi',
  '4548-4': 'hba1c',
  '33762-6': 'ntProBnp',
  '10230-1': 'lvef',
  '18262-6': 'ldl',
};
const ACTIVE: Record<string, keyof PatientFacts> = {
  '44054006': 'diabetes',
  '714628002': 'prediabetes',
  '88805009': 'heartFailure',
  '38341003': 'hypertension',
  '162864005': 'obesity',
  '408512008': 'severeObesity',
};

/** One patient's facts as of `asOf` (YYYY-MM-DD): latest values and active conditions. */
export function patientFacts(resources: Resource[], asOf: string): PatientFacts {
  const patient = resources.find((r): r is Patient => r.resourceType === 'Patient')!;
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  const facts: PatientFacts = {
    age: (asOfMs - Date.parse(`${patient.birthDate}T00:00:00Z`)) / (365.25 * 86_400_000),
    sex: patient.gender ?? 'unknown',
    diabetes: false,
    prediabetes: false,
    heartFailure: false,
    hypertension: false,
    obesity: false,
    severeObesity: false,
  };
  const latestAt: Record<string, string> = {};
  for (const r of resources) {
    if (r.resourceType === 'Observation') {
      const o = r as Observation;
      const key = LATEST[o.code.coding?.[0]?.code ?? ''];
      const at = o.effectiveDateTime ?? '';
      if (key && o.valueQuantity?.value !== undefined && at >= (latestAt[key] ?? '')) {
        latestAt[key] = at;
        (facts as unknown as Record<string, number>)[key] = o.valueQuantity.value;
      }
    } else if (r.resourceType === 'Condition') {
      const c = r as Condition;
      const key = ACTIVE[c.code?.coding?.[0]?.code ?? ''];
      if (key && c.clinicalStatus?.coding?.[0]?.code === 'active') {
        (facts as unknown as Record<string, boolean>)[key] = true;
      }
    }
  }
  return facts;
}

export const share = <T>(items: T[], test: (x: T) => boolean): number =>
  items.length ? items.filter(test).length / items.length : Number.NaN;

export const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Pearson correlation. */
export function correlation(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The headline figures of a cohort, as the README reports them. */
export function summarizeFacts(facts: PatientFacts[]) {
  const band = (lo: number, hi: number) => facts.filter((f) => f.age >= lo && f.age < hi);
  const withBmi = facts.filter((f) => f.bmi !== undefined);
  const hf = facts.filter((f) => f.heartFailure && f.lvef !== undefined);
  const a1c = (pick: (f: PatientFacts) => boolean) =>
    facts.filter((f) => pick(f) && f.hba1c !== undefined).map((f) => f.hba1c!);
  const diabeticA1c = a1c((f) => f.diabetes);
  return {
    patients: facts.length,
    bmiAtLeast30: share(withBmi, (f) => f.bmi! >= 30),
    bmiAtLeast40: share(withBmi, (f) => f.bmi! >= 40),
    diabetes18to44: share(band(18, 45), (f) => f.diabetes),
    diabetes45to64: share(band(45, 65), (f) => f.diabetes),
    diabetes65plus: share(band(65, 200), (f) => f.diabetes),
    diabetes: share(facts, (f) => f.diabetes),
    prediabetes: share(facts, (f) => f.prediabetes),
    hypertension: share(facts, (f) => f.hypertension),
    heartFailure: share(facts, (f) => f.heartFailure),
    meanBmiDiabetic: mean(withBmi.filter((f) => f.diabetes).map((f) => f.bmi!)),
    meanBmiNonDiabetic: mean(withBmi.filter((f) => !f.diabetes).map((f) => f.bmi!)),
    meanAgeHeartFailure: mean(facts.filter((f) => f.heartFailure).map((f) => f.age)),
    meanAgeNoHeartFailure: mean(facts.filter((f) => !f.heartFailure).map((f) => f.age)),
    hba1cMedianNoDiabetes: median(a1c((f) => !f.diabetes)),
    hba1cMedianNormoglycaemic: median(a1c((f) => !f.diabetes && !f.prediabetes)),
    hba1cMedianPrediabetes: median(a1c((f) => f.prediabetes)),
    hba1cMedianDiabetes: median(diabeticA1c),
    diabeticsUnder7: share(diabeticA1c, (x) => x < 7),
    hfref: share(hf, (f) => f.lvef! <= 40),
    hfmref: share(hf, (f) => f.lvef! > 40 && f.lvef! < 50),
    hfpef: share(hf, (f) => f.lvef! >= 50),
    ntProBnpMedianHf: median(facts.filter((f) => f.heartFailure && f.ntProBnp).map((f) => f.ntProBnp!)),
    ntProBnpMedianNoHf: median(facts.filter((f) => !f.heartFailure && f.ntProBnp).map((f) => f.ntProBnp!)),
  };
}
