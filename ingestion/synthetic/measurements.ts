/**
 * What a measurement shows at time `t` (years relative to the as-of date, negative in the past):
 * the person's baseline, moved by ageing, weight drift, disease onset and the response to
 * treatment, plus visit-to-visit noise. Treatment responses are exponential approaches with a
 * time constant `tau` from the diagnosis.
 */
import type { ClinicalProfile } from './clinical-profile';
import { clamp, type Random } from './random';

/** 0 before `from`, rising to 1 with time constant `tau` years after it. */
export const response = (t: number, from: number, tau: number): number =>
  t < from ? 0 : 1 - Math.exp(-(t - from) / tau);

export const onsetTime = (c: { onsetYearsAgo: number } | null): number =>
  c ? -c.onsetYearsAgo : Number.POSITIVE_INFINITY;

/** The time a statin starts (medications.ts): the first diagnosis that calls for one. */
export function statinStart(p: ClinicalProfile): number {
  if (!p.statin) return Number.POSITIVE_INFINITY;
  return Math.min(onsetTime(p.diabetes), onsetTime(p.heartFailure), onsetTime(p.hypertension));
}

/** The time glucose-lowering drugs start (metformin, medications.ts): the diabetes diagnosis, if drug-treated. */
export function glucoseLoweringStart(p: ClinicalProfile): number {
  return p.glucoseLowering ? onsetTime(p.diabetes) : Number.POSITIVE_INFINITY;
}

/** BMI: drifts over the years; lifestyle treatment after a diabetes diagnosis takes off ≈3 %. */
export function bmiAt(p: ClinicalProfile, t: number, random: Random): number {
  const beforeTreatment = p.diabetes ? 0.03 * (1 - response(t, onsetTime(p.diabetes), 0.5)) : 0;
  return clamp(p.bmi * (1 + p.bmiDrift * t) * (1 + beforeTreatment) + random.normal(0, 0.35), 15, 75);
}

/** What lifestyle treatment alone leaves above the drug-treated level (HbA1c points). */
const LIFESTYLE_A1C_GAP = 0.4;

/**
 * HbA1c (%): climbs to the diagnosis value, then falls once glucose-lowering drugs start to the
 * treated level; with lifestyle treatment alone it falls more slowly and less far.
 */
export function hba1cAt(p: ClinicalProfile, t: number, random: Random): number {
  const noise = random.normal(0, 0.12);
  if (p.diabetes) {
    const { diagnosisA1c, targetA1c } = p.diabetes;
    const dx = onsetTime(p.diabetes);
    if (t < dx) return clamp(5.8 + (diagnosisA1c - 5.8) * Math.exp((t - dx) / 1.5) + noise, 5.5, 14);
    const drugs = glucoseLoweringStart(p);
    const treated = t >= drugs ? targetA1c : targetA1c + LIFESTYLE_A1C_GAP;
    const from = t >= drugs ? drugs : dx;
    const tau = t >= drugs ? 0.35 : 0.6;
    return clamp(treated + (diagnosisA1c - treated) * Math.exp(-(t - from) / tau) + noise, 5.5, 14);
  }
  if (p.prediabetes) {
    if (t >= onsetTime(p.prediabetes)) return clamp(p.prediabetes.a1c + noise * 0.6, 5.7, 6.4);
    return clamp(p.normalA1c + 0.25 + noise * 0.6, 4.3, 5.6);
  }
  return clamp(p.normalA1c + noise * 0.6, 4.3, 5.6);
}

/** Blood glucose (mg/dL) consistent with the HbA1c (ADAG: eAG = 28.7 × A1c − 46.7), non-fasting. */
export function glucoseFor(a1c: number, random: Random): number {
  return clamp((28.7 * a1c - 46.7) * random.normal(0.95, 0.08), 55, 450);
}

/** Systolic and diastolic pressure (mmHg): age and BMI raise them; treatment lowers them. */
export function bloodPressureAt(
  p: ClinicalProfile,
  t: number,
  bmi: number,
  random: Random,
): { systolic: number; diastolic: number } {
  let systolic = 108 + 0.45 * (p.age + t - 30) + 0.5 * (bmi - 25) + p.sbpOffset;
  if (p.hypertension) systolic += 20 - 14 * response(t, onsetTime(p.hypertension), 0.3);
  systolic = clamp(systolic + random.normal(0, 7), 85, 220);
  const diastolic = clamp(0.45 * systolic + 18 + random.normal(0, 4), 45, 130);
  return { systolic, diastolic };
}

/** Serum creatinine (mg/dL): rises slowly with age. */
export function creatinineAt(p: ClinicalProfile, t: number, random: Random): number {
  return clamp(p.creatinine * (1 + 0.006 * t) * random.normal(1, 0.05), 0.3, 12);
}

/**
 * eGFR by the 4-variable IDMS-traceable MDRD equation, the formula LOINC 33914-3 names.
 * See: https://www.niddk.nih.gov/research-funding/research-programs/kidney-clinical-research-epidemiology/laboratory/glomerular-filtration-rate-equations/adults
 */
export function egfrFor(p: ClinicalProfile, t: number, creatinine: number): number {
  const v = 175 * creatinine ** -1.154 * (p.age + t) ** -0.203 * (p.sex === 'female' ? 0.742 : 1);
  return clamp(v, 3, 160);
}

/** The lipid panel (mg/dL); total = LDL + HDL + TG/5 (Friedewald). A statin takes ≈32 % off LDL. */
export function lipidsAt(p: ClinicalProfile, t: number, random: Random) {
  const ldl = clamp(p.ldl * (1 - 0.32 * response(t, statinStart(p), 0.15)) * random.normal(1, 0.07), 30, 300);
  const hdl = clamp(p.hdl * random.normal(1, 0.06), 20, 110);
  const triglycerides = clamp(p.triglycerides * random.lognormal(1, 0.15), 35, 1200);
  return { ldl, hdl, triglycerides, cholesterol: ldl + hdl + triglycerides / 5 };
}

const HF_NT_PROBNP = { HFrEF: 15, HFmrEF: 9, HFpEF: 6 } as const;

/**
 * NT-proBNP (pg/mL), lognormal: higher with age, in women and with reduced ejection fraction,
 * lower with BMI; doubled at a heart-failure diagnosis or admission, easing with treatment.
 */
export function ntProBnpAt(p: ClinicalProfile, t: number, bmi: number, admitted: boolean, random: Random) {
  let median = 40 * Math.exp(0.045 * (p.age + t - 45) - 0.025 * (bmi - 27)) * (p.sex === 'female' ? 1.15 : 1);
  median *= p.ntProBnpFactor;
  const hf = p.heartFailure;
  if (hf && t >= onsetTime(hf)) {
    median *= HF_NT_PROBNP[hf.type] * (2 - response(t, onsetTime(hf), 0.4));
    if (admitted) median *= 2.5;
  }
  return clamp(median * random.lognormal(1, 0.2), 5, 35000);
}

/** LVEF (%): heart-failure patients stay within their category; HFrEF improves a little on treatment. */
export function lvefAt(p: ClinicalProfile, t: number, random: Random): number {
  const hf = p.heartFailure;
  const noise = random.normal(0, 1.5);
  if (!hf || t < onsetTime(hf)) return clamp(p.normalEf + noise, 50, 78);
  if (hf.type === 'HFrEF') return clamp(hf.ef + 3 * response(t, onsetTime(hf), 0.7) + noise, 12, 40);
  if (hf.type === 'HFmrEF') return clamp(hf.ef + noise, 41, 49);
  return clamp(hf.ef + noise, 50, 75);
}
