/**
 * The care pathway over the years of record: yearly check-ups, chronic-disease follow-ups whose
 * frequency follows the active conditions, a visit at each diagnosis, emergency visits and
 * admissions (frequent in heart failure), and now and then a visit still in progress at as-of.
 */
import type { ClinicalProfile } from './clinical-profile';
import { onsetTime } from './measurements';
import type { Random } from './random';
import type { EncounterKind } from './terminology';

export type TrackedCondition = 'diabetes' | 'prediabetes' | 'hypertension' | 'heartFailure';

export interface PlannedEncounter {
  kind: EncounterKind;
  /** Start, in years relative to as-of. */
  t: number;
  /** Length in hours. */
  hours: number;
  inProgress: boolean;
  /** Conditions diagnosed at this visit. */
  diagnoses: TrackedCondition[];
}

const FOLLOW_UP_PER_YEAR: Record<TrackedCondition, number> = {
  diabetes: 3,
  heartFailure: 4,
  hypertension: 1.5,
  prediabetes: 0.5,
};
const HOUR = 1 / (365.25 * 24);
const TRACKED: readonly TrackedCondition[] = ['diabetes', 'prediabetes', 'hypertension', 'heartFailure'];

const hoursFor = (kind: EncounterKind, random: Random): number =>
  kind === 'inpatient'
    ? random.uniform(40, 170)
    : kind === 'emergency'
      ? random.uniform(2, 7)
      : random.uniform(0.33, 0.75);

/** Poisson arrival times on [from, to) at `rate` per year. */
function arrivals(random: Random, from: number, to: number, rate: number): number[] {
  const out: number[] = [];
  if (rate <= 0) return out;
  const gap = () => -Math.log(1 - random.next()) / rate;
  for (let t = from + gap(); t < to; t += gap()) out.push(t);
  return out;
}

/** Plans a person's encounters, in time order. */
export function planEncounters(p: ClinicalProfile, random: Random): PlannedEncounter[] {
  const start = -p.historyYears;
  const out: PlannedEncounter[] = [];
  const add = (kind: EncounterKind, t: number, diagnoses: TrackedCondition[] = []) =>
    out.push({ kind, t, hours: hoursFor(kind, random), inProgress: false, diagnoses });
  const chronic = p.diabetes || p.hypertension || p.heartFailure || p.prediabetes;

  const attendance = chronic ? 0.95 : 0.75;
  const checkups: number[] = [];
  for (let t = start + random.next(); t < -0.01; t += random.uniform(0.85, 1.15)) {
    if (random.chance(attendance)) checkups.push(t);
  }
  if (checkups.length === 0) checkups.push(random.uniform(Math.max(start, -1), -0.01));
  for (const t of checkups) add('checkup', t);

  const onsets = TRACKED.map((c) => ({ c, t: onsetTime(p[c]) })).filter((o) => Number.isFinite(o.t));
  for (const { c, t } of onsets) {
    if (t <= start) continue;
    const kind = c === 'heartFailure' && random.chance(0.45) ? 'inpatient' : 'followUp';
    add(kind, t, [c]);
  }
  const rateAt = (t: number) => {
    let rate = 0;
    for (const o of onsets) if (t >= o.t) rate = Math.max(rate, FOLLOW_UP_PER_YEAR[o.c]);
    return rate;
  };
  const firstOnset = Math.max(start, Math.min(...onsets.map((o) => o.t)));
  for (let t = firstOnset; t < -0.01; ) {
    const rate = rateAt(t);
    if (rate === 0) break;
    t += random.uniform(0.6, 1.4) / rate;
    if (t < -0.01) add('followUp', t);
  }

  const hfFrom = Math.max(start, onsetTime(p.heartFailure));
  for (const t of arrivals(random, start, -0.01, 0.1)) add('emergency', t);
  for (const t of arrivals(random, start, -0.02, 0.01)) add('inpatient', t);
  if (p.heartFailure) {
    for (const t of arrivals(random, hfFrom, -0.01, 0.3)) add('emergency', t);
    for (const t of arrivals(random, hfFrom, -0.02, 0.25)) add('inpatient', t);
  }
  if (random.chance(0.03)) {
    const admitted = random.chance(0.4);
    const t = admitted ? -random.uniform(24, 72) * HOUR : -random.uniform(1, 8) * HOUR;
    out.push({ kind: admitted ? 'inpatient' : 'emergency', t, hours: 0, inProgress: true, diagnoses: [] });
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}
