/**
 * One person's latent clinical state: who they are at the as-of date, which conditions they have
 * and since when, and the personal baselines their measurements vary around. Everything the
 * timeline later observes is derived from this profile and the same random stream.
 */
import {
  AGE_BANDS,
  BMI_EFFECT,
  bandOf,
  HF_EFFECT,
  type Model,
  sigmoid,
  TREATMENT_SHARES,
} from './epidemiology';
import { clamp, type Random } from './random';

export type HeartFailureType = 'HFrEF' | 'HFmrEF' | 'HFpEF';

export interface ClinicalProfile {
  sex: 'female' | 'male';
  /** Age in years at the as-of date. */
  age: number;
  heightCm: number;
  /** BMI at the as-of date (after any treatment effect). */
  bmi: number;
  /** Relative BMI change per year over the record (weight drift). */
  bmiDrift: number;
  /** Years of record before the as-of date. */
  historyYears: number;
  /** Onsets are in years before the as-of date. */
  diabetes: { onsetYearsAgo: number; targetA1c: number; diagnosisA1c: number } | null;
  prediabetes: { onsetYearsAgo: number; a1c: number } | null;
  hypertension: { onsetYearsAgo: number } | null;
  heartFailure: { onsetYearsAgo: number; type: HeartFailureType; ef: number } | null;
  /** Personal baselines. */
  normalA1c: number;
  sbpOffset: number;
  creatinine: number;
  ldl: number;
  hdl: number;
  triglycerides: number;
  ntProBnpFactor: number;
  normalEf: number;
  /**
   * Whether the diabetes is treated with a glucose-lowering drug from its diagnosis (the rest are
   * managed by lifestyle); see `TREATMENT_SHARES`.
   */
  glucoseLowering: boolean;
  /** Whether a statin is started at the first diagnosis that calls for one. */
  statin: boolean;
}

const AGE_WEIGHTS = AGE_BANDS.map((b) => b.weight);

/** Onset, in years before as-of, for a condition present at as-of: never before age `earliest`. */
function onset(random: Random, meanYears: number, age: number, earliest: number): number {
  const years = -meanYears * Math.log(1 - random.next());
  return clamp(years, 0.02, Math.max(0.02, age - earliest));
}

/** Draws a person's profile from the calibrated model. */
export function drawClinicalProfile(random: Random, model: Model): ClinicalProfile {
  const sex = random.chance(0.51) ? 'female' : 'male';
  const band = random.weighted(AGE_BANDS, AGE_WEIGHTS);
  const age = random.uniform(band.from, band.to);
  const ageBand = bandOf(age);
  const heightCm = clamp(random.normal(sex === 'female' ? 162 : 176, 7), 140, 205);
  const bmi = clamp(random.lognormal(model.rates.bmiMedian, model.rates.bmiSigma), 15.5, 70);
  const x = Math.log(bmi / 28);

  const hasHypertension = random.chance(sigmoid(model.hypertension[ageBand] + BMI_EFFECT.hypertension * x));
  const hasDiabetes = random.chance(sigmoid(model.diabetes[ageBand] + BMI_EFFECT.diabetes * x));
  const hasHeartFailure = random.chance(
    sigmoid(
      model.heartFailure +
        HF_EFFECT.age * (age - 65) +
        BMI_EFFECT.heartFailure * x +
        (hasDiabetes ? HF_EFFECT.diabetes : 0) +
        (hasHypertension ? HF_EFFECT.hypertension : 0),
    ),
  );
  const hasPrediabetes =
    !hasDiabetes && random.chance(sigmoid(model.prediabetes[ageBand] + BMI_EFFECT.prediabetes * x));

  const diabetes = hasDiabetes
    ? (() => {
        const targetA1c = 5.8 + random.lognormal(1.05, 0.45);
        return {
          onsetYearsAgo: onset(random, 7, age, 25),
          targetA1c,
          diagnosisA1c: Math.max(targetA1c + 0.6, 6.6) + random.lognormal(1.1, 0.4),
        };
      })()
    : null;
  const prediabetes = hasPrediabetes
    ? { onsetYearsAgo: onset(random, 3, age, 18), a1c: 5.7 + 0.7 * Math.min(random.next(), random.next()) }
    : null;
  const hypertension = hasHypertension ? { onsetYearsAgo: onset(random, 8, age, 20) } : null;

  let heartFailure: ClinicalProfile['heartFailure'] = null;
  if (hasHeartFailure) {
    const pefWeight = 0.4 * (sex === 'female' ? 1.35 : 0.7) * (bmi >= 30 ? 1.2 : 1);
    const type = random.weighted<HeartFailureType>(['HFrEF', 'HFmrEF', 'HFpEF'], [0.45, 0.15, pefWeight]);
    const ef =
      type === 'HFrEF'
        ? clamp(random.normal(30, 5), 15, 38)
        : type === 'HFmrEF'
          ? random.uniform(41, 49)
          : clamp(random.normal(58, 5), 51, 72);
    heartFailure = { onsetYearsAgo: onset(random, 4, age, 30), type, ef };
  }

  return {
    sex,
    age,
    heightCm,
    bmi,
    bmiDrift: random.normal(0.006, 0.008),
    historyYears: Math.min(random.uniform(2, 8), age - 18 + 0.5),
    diabetes,
    prediabetes,
    hypertension,
    heartFailure,
    normalA1c: clamp(random.normal(5.3, 0.17), 4.4, 5.6),
    sbpOffset: random.normal(0, 6),
    creatinine:
      (sex === 'female' ? 0.72 : 0.93) *
      random.lognormal(1, 0.12) *
      (1 + 0.006 * Math.max(0, age - 40)) *
      (hasDiabetes ? 1.1 : 1) *
      (hasHeartFailure ? 1.2 : 1),
    ldl: clamp(random.normal(118, 30), 50, 240),
    hdl: clamp(random.normal(sex === 'female' ? 58 : 47, 10) - 0.6 * (bmi - 27), 25, 100),
    triglycerides: random.lognormal(110 * Math.exp(0.03 * (bmi - 27)) * (hasDiabetes ? 1.3 : 1), 0.4),
    ntProBnpFactor: random.lognormal(1, hasHeartFailure ? 0.8 : 0.6),
    normalEf: clamp(random.normal(62, 4.5), 52, 75),
    glucoseLowering:
      diabetes !== null &&
      random.chance(
        diabetes.diagnosisA1c >= 7.5
          ? TREATMENT_SHARES.glucoseLoweringHighA1c
          : TREATMENT_SHARES.glucoseLoweringLowA1c,
      ),
    statin: random.chance(
      hasDiabetes || hasHeartFailure
        ? TREATMENT_SHARES.statinDiabetesOrHeartFailure
        : hasHypertension
          ? TREATMENT_SHARES.statinHypertensionOnly
          : 0,
    ),
  };
}
