/**
 * One patient's whole record, derived from (seed, index) alone: the profile, the planned visits,
 * what was measured at each, the conditions on the problem list, the prescriptions, and the
 * Patient resource.
 */
import type { Resource } from '@medplum/fhirtypes';
import { type ClinicalProfile, drawClinicalProfile } from './clinical-profile';
import {
  type BuiltEncounter,
  buildBloodPressure,
  buildCondition,
  buildEncounter,
  buildQuantity,
  type ConditionRecord,
  RecordContext,
  type ResourceLine,
} from './clinical-resources';
import { modelFor } from './epidemiology';
import {
  bloodPressureAt,
  bmiAt,
  creatinineAt,
  egfrFor,
  glucoseFor,
  hba1cAt,
  lipidsAt,
  lvefAt,
  ntProBnpAt,
  onsetTime,
} from './measurements';
import { buildMedicationRequests, planMedications } from './medications';
import { metroOf, organizationId, organizationOf } from './organizations';
import { buildPatient } from './patient-resource';
import { createRandom, type Random } from './random';
import { type PlannedEncounter, planEncounters, type TrackedCondition } from './timeline';

const TRACKED = ['diabetes', 'prediabetes', 'hypertension', 'heartFailure'] as const;

/** What a cohort is generated from; see `generateCohort`. */
export interface CohortOptions {
  patients: number;
  orgs: number;
  seed: number;
  /** Raise the shares of diabetes, heart failure and obesity (demo cohorts). */
  enrich?: boolean;
  /** The date the record ends (YYYY-MM-DD, default 2026-01-01). */
  asOf?: string;
  /** Roll landing parts at this many bytes (default: the landing writer's). */
  maxPartBytes?: number;
}

export const DEFAULT_AS_OF = '2026-01-01';

let lastAsOf = '';
let lastAsOfMs = 0;

/** Epoch milliseconds of midnight UTC on the as-of date (validated; the last one is cached). */
export function asOfMillis(asOf: string = DEFAULT_AS_OF): number {
  if (asOf === lastAsOf) return lastAsOfMs;
  const ms = Date.parse(`${asOf}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(asOf) ||
    Number.isNaN(ms) ||
    new Date(ms).toISOString().slice(0, 10) !== asOf
  ) {
    throw new Error(`--as-of must be a calendar date YYYY-MM-DD (got ${JSON.stringify(asOf)})`);
  }
  lastAsOf = asOf;
  lastAsOfMs = ms;
  return ms;
}

const MINUTE_MS = 60_000;

/** What to measure at one visit. */
function measure(
  ctx: RecordContext,
  p: ClinicalProfile,
  plan: PlannedEncounter,
  enc: BuiltEncounter,
  records: Set<TrackedCondition>,
  random: Random,
  out: ResourceLine[],
): number | null {
  const { kind, t } = plan;
  const age = p.age + t;
  const dm = p.diabetes !== null && t >= onsetTime(p.diabetes);
  const predm = p.prediabetes !== null && t >= onsetTime(p.prediabetes);
  const htn = p.hypertension !== null && t >= onsetTime(p.hypertension);
  const hf = p.heartFailure !== null && t >= onsetTime(p.heartFailure);
  const vitalsMs = enc.startMs + 10 * MINUTE_MS;
  const labsMs = enc.startMs + 40 * MINUTE_MS;
  const checkup = kind === 'checkup';
  const followUp = kind === 'followUp';
  const admitted = kind === 'inpatient';
  const emergency = kind === 'emergency';

  const bmi = bmiAt(p, t, random);
  let reportedBmi: number | null = null;
  if (!emergency) {
    const heightM = p.heightCm / 100;
    const weight = Math.round(bmi * heightM * heightM * 10) / 10;
    if (checkup) buildQuantity(ctx, 'height', p.heightCm + random.normal(0, 0.4), enc, vitalsMs, out);
    buildQuantity(ctx, 'weight', weight, enc, vitalsMs, out);
    reportedBmi = weight / (heightM * heightM);
    buildQuantity(ctx, 'bmi', reportedBmi, enc, vitalsMs, out);
  }
  buildBloodPressure(ctx, bloodPressureAt(p, t, bmi, random), enc, vitalsMs, out);
  if (plan.inProgress) return reportedBmi;

  const atRisk = dm || predm || age >= 45 || bmi >= 30;
  const wantsA1c =
    records.has('diabetes') ||
    records.has('prediabetes') ||
    random.chance(
      checkup ? (atRisk ? 0.8 : 0.25) : followUp ? (dm ? 0.9 : predm ? 0.7 : 0.15) : admitted && dm ? 0.5 : 0,
    );
  const wantsGlucose = wantsA1c || random.chance(emergency ? 0.7 : admitted ? 1 : 0);
  if (wantsGlucose) {
    const a1c = hba1cAt(p, t, random);
    if (wantsA1c) buildQuantity(ctx, 'hba1c', a1c, enc, labsMs, out);
    buildQuantity(ctx, 'glucose', glucoseFor(a1c, random), enc, labsMs, out);
  }
  const onStatin = p.statin && (dm || hf || htn);
  if (random.chance(checkup ? (onStatin || age >= 40 ? 0.6 : 0.25) : followUp && onStatin ? 0.25 : 0)) {
    const l = lipidsAt(p, t, random);
    buildQuantity(ctx, 'cholesterol', l.cholesterol, enc, labsMs, out);
    buildQuantity(ctx, 'ldl', l.ldl, enc, labsMs, out);
    buildQuantity(ctx, 'hdl', l.hdl, enc, labsMs, out);
    buildQuantity(ctx, 'triglycerides', l.triglycerides, enc, labsMs, out);
  }
  const chronic = dm || htn || hf;
  const renal = checkup
    ? age >= 50 || chronic
      ? 0.7
      : 0.3
    : followUp
      ? chronic
        ? 0.5
        : 0
      : emergency
        ? 0.8
        : 1;
  if (random.chance(renal)) {
    const creatinine = creatinineAt(p, t, random);
    buildQuantity(ctx, 'creatinine', creatinine, enc, labsMs, out);
    buildQuantity(ctx, 'egfr', egfrFor(p, t, creatinine), enc, labsMs, out);
  }
  const hfRecorded = records.has('heartFailure');
  const bnp = hf
    ? hfRecorded || admitted
      ? 1
      : emergency
        ? 0.9
        : 0.6
    : emergency
      ? 0.15
      : checkup && age >= 50
        ? 0.06
        : 0;
  if (random.chance(bnp))
    buildQuantity(ctx, 'ntProBnp', ntProBnpAt(p, t, bmi, admitted, random), enc, labsMs, out);
  const echo = hf ? (hfRecorded ? 1 : checkup ? 0.5 : admitted ? 0.6 : 0) : checkup && age >= 60 ? 0.03 : 0;
  if (random.chance(echo))
    buildQuantity(ctx, 'lvef', lvefAt(p, t, random), enc, labsMs + 30 * MINUTE_MS, out);
  return reportedBmi;
}

/** A patient's record as NDJSON lines, Patient first; what `generateCohort` writes. */
export function generatePatientLines(
  options: CohortOptions,
  index: number,
): { org: string; lines: ResourceLine[] } {
  const orgNumber = organizationOf(index, options.orgs);
  const org = organizationId(orgNumber);
  const asOfMs = asOfMillis(options.asOf);
  const ctx = new RecordContext(options.seed, index, asOfMs, org);
  const random = createRandom(options.seed, index, 0);
  const profile = drawClinicalProfile(random, modelFor(options.enrich === true));
  const plan = planEncounters(profile, random);
  const medications = planMedications(profile, plan, createRandom(options.seed, index, 2));
  const start = -profile.historyYears;

  const lines: ResourceLine[] = [{ type: 'Patient', json: '' }];
  const conditions: ConditionRecord[] = [];
  const encounters: BuiltEncounter[] = [];
  const bmis: { enc: BuiltEncounter; bmi: number }[] = [];
  let lastMs = asOfMs - 365 * 86_400_000;
  for (const [i, planned] of plan.entries()) {
    const enc = buildEncounter(ctx, planned.kind, planned.t, planned.hours, planned.inProgress, lines);
    encounters.push(enc);
    lastMs = Math.max(lastMs, enc.endMs);
    const records = new Set<TrackedCondition>(planned.diagnoses);
    for (const c of planned.diagnoses) {
      conditions.push({ kind: c, encounter: enc, onsetMs: enc.startMs, newDiagnosis: true });
    }
    if (i === 0) {
      for (const c of TRACKED) {
        const onset = onsetTime(profile[c]);
        if (onset <= start) {
          records.add(c);
          conditions.push({ kind: c, encounter: enc, onsetMs: ctx.ms(onset), newDiagnosis: false });
        }
      }
      if (profile.diabetes && onsetTime(profile.diabetes) > start + 1 && random.chance(0.5)) {
        const abatementMs = ctx.ms(onsetTime(profile.diabetes));
        const onsetMs = ctx.ms(start - random.uniform(0.2, 2));
        conditions.push({ kind: 'prediabetes', encounter: enc, onsetMs, newDiagnosis: false, abatementMs });
      }
    }
    const bmi = measure(ctx, profile, planned, enc, records, random, lines);
    if (bmi !== null) bmis.push({ enc, bmi });
  }

  const latest = bmis[bmis.length - 1]?.bmi ?? 0;
  const threshold = latest >= 40 ? 40 : latest >= 30 ? 30 : 0;
  const crossed = threshold ? bmis.find((b) => b.bmi >= threshold) : undefined;
  if (crossed) {
    conditions.push({
      kind: threshold === 40 ? 'severeObesity' : 'obesity',
      encounter: crossed.enc,
      onsetMs: crossed.enc.startMs,
      newDiagnosis: crossed !== bmis[0],
    });
  }
  for (const c of conditions) buildCondition(ctx, c, lines);
  buildMedicationRequests(ctx, medications, encounters, lines);

  const patient = buildPatient(
    ctx,
    profile,
    createRandom(options.seed, index, 1),
    metroOf(orgNumber),
    lastMs,
  );
  lines[0] = { type: 'Patient', json: JSON.stringify(patient) };
  return { org, lines };
}

/**
 * Generates patient `index` of the cohort `options` describes. Pure: the same arguments always
 * give the same resources, whatever else is generated, so cohorts can be sharded freely.
 * The Patient comes first, then each encounter followed by what was observed at it, then the
 * conditions, then the medication requests.
 */
export function generatePatientRecord(
  options: CohortOptions,
  index: number,
): { org: string; resources: Resource[] } {
  const { org, lines } = generatePatientLines(options, index);
  return { org, resources: lines.map((line) => JSON.parse(line.json) as Resource) };
}
