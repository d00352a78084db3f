/**
 * The population the generator draws from: adult age structure, right-skewed BMI, and the
 * prevalence targets of the cardiometabolic conditions. Logistic models give each person a risk
 * that rises with age, BMI and comorbidity; their intercepts are solved numerically at load so
 * that the population rates hit the stated targets exactly (before sampling noise).
 *
 * Sources for the targets: CDC NHANES 2017–2020 (obesity ≈ 42 %, severe ≈ 9 %), CDC National
 * Diabetes Statistics Report (diagnosed + undiagnosed by age band), AHA Heart Disease & Stroke
 * Statistics (heart failure ≈ 2.4 % of adults; HFrEF / HFmrEF / HFpEF shares).
 */

export interface Rates {
  /** Median and log-sd of the lognormal BMI. */
  bmiMedian: number;
  bmiSigma: number;
  /** Type 2 diabetes prevalence in the 18–44, 45–64 and ≥ 65 bands. */
  diabetesByBand: readonly [number, number, number];
  /** Prediabetes (recorded) among adults without diabetes, same bands. */
  prediabetesByBand: readonly [number, number, number];
  /** Diagnosed hypertension, same bands. */
  hypertensionByBand: readonly [number, number, number];
  /** Chronic heart failure among all adults. */
  heartFailure: number;
}

/** P(BMI ≥ 30) ≈ 0.40 and P(BMI ≥ 40) ≈ 0.09 for lognormal(ln 28.06, 0.2644). */
export const POPULATION_RATES: Rates = {
  bmiMedian: 28.06,
  bmiSigma: 0.2644,
  diabetesByBand: [0.05, 0.19, 0.29],
  prediabetesByBand: [0.18, 0.3, 0.34],
  hypertensionByBand: [0.12, 0.42, 0.64],
  heartFailure: 0.025,
};

/** `--enrich`: denser obesity, diabetes and heart failure for demos. */
export const ENRICHED_RATES: Rates = {
  bmiMedian: 31.5,
  bmiSigma: 0.27,
  diabetesByBand: [0.14, 0.38, 0.5],
  prediabetesByBand: [0.25, 0.35, 0.35],
  hypertensionByBand: [0.18, 0.5, 0.7],
  heartFailure: 0.12,
};

/** Adult age structure (US Census): [from, to) years and weight. */
export const AGE_BANDS: readonly { from: number; to: number; weight: number }[] = [
  { from: 18, to: 45, weight: 0.46 },
  { from: 45, to: 65, weight: 0.32 },
  { from: 65, to: 75, weight: 0.12 },
  { from: 75, to: 85, weight: 0.07 },
  { from: 85, to: 91, weight: 0.03 },
];

/** 0: 18–44, 1: 45–64, 2: ≥ 65. */
export const bandOf = (age: number): 0 | 1 | 2 => (age < 45 ? 0 : age < 65 ? 1 : 2);

/** Log-odds per unit of ln(BMI / 28). */
export const BMI_EFFECT = { diabetes: 3.5, prediabetes: 2, hypertension: 2.5, heartFailure: 1.6 } as const;
/** Heart-failure log-odds per year of age, and for diabetes and hypertension. */
export const HF_EFFECT = { age: 0.075, diabetes: 0.9, hypertension: 0.6 } as const;

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Treatment shares: the probability that a person with the indication is prescribed the drug
 * (README "Synthetic cohorts" has the table with the published figures they follow).
 * - Glucose-lowering drugs: 67 % of US adults with diabetes, diagnosed or not, took one in
 *   2015–2016 (Le et al., Diabetes Care 2020;43:1227, NHANES); a diagnosed cohort sits higher,
 *   and mild diabetes (HbA1c < 7.5 % at diagnosis) is more often managed by lifestyle.
 * - Metformin first line (ADA Standards of Care); SGLT2 inhibitors 9.4 % of treated adults with
 *   diabetes in 2017–2020 (NHANES 2013–2020 analysis, 2023); second-generation agents as a whole
 *   13.7 % (AJMC, NHANES 2005–2018) — newer years run higher, so GLP-1 RAs sit near SGLT2s.
 * - Statins: about half of US adults with diabetes (NHANES 2011–2018, Diabetes Care
 *   2020;43:3110; Fang et al., NEJM 2021;384:2219).
 * - HFrEF: 73 % ACEI/ARB/ARNI, 67 % beta-blocker, 33 % MRA among eligible outpatients
 *   (CHAMP-HF, Greene et al., JACC 2018;72:351). Less for HFmrEF / HFpEF (weaker indication).
 */
export const TREATMENT_SHARES = {
  glucoseLoweringHighA1c: 0.8,
  glucoseLoweringLowA1c: 0.5,
  /** Of the drug-treated: metformin first; the rest start on an SGLT2 inhibitor or insulin. */
  metforminFirstLine: 0.85,
  /** Metformin stopped for intolerance (gastrointestinal) at a later visit. */
  metforminStopped: 0.05,
  /** Add-ons after the first drug, each independently. */
  sglt2AddOn: 0.1,
  glp1AddOn: 0.1,
  insulinAddOn: 0.15,
  statinDiabetesOrHeartFailure: 0.55,
  statinHypertensionOnly: 0.3,
  heartFailure: {
    HFrEF: { raas: 0.73, betaBlocker: 0.67, mra: 0.33, sglt2: 0.2 },
    HFmrEF: { raas: 0.6, betaBlocker: 0.6, mra: 0.2, sglt2: 0.15 },
    HFpEF: { raas: 0.45, betaBlocker: 0.45, mra: 0.15, sglt2: 0.1 },
  },
  /** Of RAAS inhibition: an ACE inhibitor (the rest an ARB). */
  aceInhibitor: 0.6,
  /** Loop diuretic in heart failure: long-term, else one short course. */
  loopDiureticLongTerm: 0.75,
  betaBlockerStopped: 0.08,
  mraStopped: 0.12,
  /** A GLP-1 RA for obesity (BMI ≥ 30) without diabetes. */
  glp1Obesity: 0.05,
} as const;

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function probit(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628274631,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = p < 0.5 ? p : 1 - p;
  let x: number;
  if (q < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(q));
    x =
      (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) /
      ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
    x = -x;
  } else {
    const r = q - 0.5;
    const s = r * r;
    x =
      ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * r) /
      (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1);
  }
  return p < 0.5 ? x : -x;
}

/** Solves `mean(intercept) = target` by bisection; `mean` must increase with the intercept. */
function solve(target: number, mean: (intercept: number) => number): number {
  let lo = -20;
  let hi = 20;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (mean(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The calibrated model: intercepts that make the population rates come out as `rates` says. */
export interface Model {
  rates: Rates;
  diabetes: readonly [number, number, number];
  prediabetes: readonly [number, number, number];
  hypertension: readonly [number, number, number];
  heartFailure: number;
}

const QUANTILES = 100;

function calibrate(rates: Rates): Model {
  const logBmi = Array.from(
    { length: QUANTILES },
    (_, i) => Math.log(rates.bmiMedian / 28) + rates.bmiSigma * probit((i + 0.5) / QUANTILES),
  );
  const byBand = (targets: readonly number[], effect: number) =>
    targets.map((t) =>
      solve(t, (a) => logBmi.reduce((s, x) => s + sigmoid(a + effect * x), 0) / QUANTILES),
    ) as unknown as readonly [number, number, number];
  const diabetes = byBand(rates.diabetesByBand, BMI_EFFECT.diabetes);
  const prediabetes = byBand(rates.prediabetesByBand, BMI_EFFECT.prediabetes);
  const hypertension = byBand(rates.hypertensionByBand, BMI_EFFECT.hypertension);
  // Heart failure depends on age, BMI, diabetes and hypertension: integrate over a grid of
  // (age, BMI quantile) cells, each with its four comorbidity combinations, weights precomputed.
  const offsets: number[] = [];
  const weights: number[] = [];
  for (const band of AGE_BANDS) {
    for (let year = band.from; year < band.to; year++) {
      const age = year + 0.5;
      const cell = band.weight / (band.to - band.from) / QUANTILES;
      for (const x of logBmi) {
        const pd = sigmoid(diabetes[bandOf(age)] + BMI_EFFECT.diabetes * x);
        const ph = sigmoid(hypertension[bandOf(age)] + BMI_EFFECT.hypertension * x);
        const base = HF_EFFECT.age * (age - 65) + BMI_EFFECT.heartFailure * x;
        offsets.push(base, base + HF_EFFECT.diabetes, base + HF_EFFECT.hypertension);
        offsets.push(base + HF_EFFECT.diabetes + HF_EFFECT.hypertension);
        weights.push(cell * (1 - pd) * (1 - ph), cell * pd * (1 - ph), cell * (1 - pd) * ph, cell * pd * ph);
      }
    }
  }
  const heartFailure = solve(rates.heartFailure, (a) => {
    let total = 0;
    for (let i = 0; i < offsets.length; i++) total += weights[i]! * sigmoid(a + offsets[i]!);
    return total;
  });
  return { rates, diabetes, prediabetes, hypertension, heartFailure };
}

let population: Model | undefined;
let enriched: Model | undefined;

/** The calibrated model for the default population or the enriched demo cohort (cached). */
export function modelFor(enrich: boolean): Model {
  if (enrich) {
    enriched ??= calibrate(ENRICHED_RATES);
    return enriched;
  }
  population ??= calibrate(POPULATION_RATES);
  return population;
}
