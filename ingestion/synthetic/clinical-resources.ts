/**
 * Serializers for the clinical resources of one patient: Encounter, Observation, Condition.
 * They write the NDJSON line directly from precomputed fragments (codes, categories, units are
 * constants), which is several times faster than building objects for `JSON.stringify`; the
 * FHIR validation test holds every shape to the R4 StructureDefinitions.
 * Times are years relative to the as-of date; ids come from (seed, patient index, ordinal).
 *
 * See: https://hl7.org/fhir/R4/encounter.html, https://hl7.org/fhir/R4/observation.html,
 * https://hl7.org/fhir/R4/condition.html
 */
import { formatInstant } from './instant';
import { deterministicId } from './random';
import {
  BLOOD_PRESSURE,
  CLINICAL_STATUS,
  CONDITION_CATEGORY,
  CONDITIONS,
  type ConditionKind,
  ENCOUNTERS,
  type EncounterKind,
  MEASURES,
  type MeasureKind,
  OBSERVATION_CATEGORY,
  SYSTEM,
  VERIFICATION_CONFIRMED,
} from './terminology';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
const json = JSON.stringify;

/** One serialized resource: its type (the landing series) and its JSON text. */
export interface ResourceLine {
  type: string;
  json: string;
}

/** Per-patient building state: the id sequence, the subject reference and the clock. */
export class RecordContext {
  private ordinal = 0;
  readonly patientId: string;
  /** `{"reference":"Patient/<id>"}` */
  readonly subjectJson: string;
  readonly organizationJson: string;

  constructor(
    readonly seed: number,
    readonly index: number,
    readonly asOfMs: number,
    readonly org: string,
  ) {
    this.patientId = this.nextId();
    this.subjectJson = `{"reference":"Patient/${this.patientId}"}`;
    this.organizationJson = json({ reference: `Organization/${org}` });
  }

  nextId(): string {
    return deterministicId(this.seed, this.index, this.ordinal++);
  }

  /** Epoch milliseconds of `t` years relative to as-of, to the second. */
  ms(t: number): number {
    return Math.round((this.asOfMs + t * YEAR_MS) / 1000) * 1000;
  }

  /** Like `ms`, moved into clinic hours (08:00–17:00 US Central, 14:00–23:00 UTC) on the same day. */
  clinicMs(t: number): number {
    const ms = this.ms(t);
    const day = Math.floor(ms / DAY_MS) * DAY_MS;
    const within = Math.floor((((ms - day) / DAY_MS) * 9 * 60) / 5) * 5;
    return day + 14 * HOUR_MS + within * 60_000;
  }

  /** FHIR instant for an epoch time, never after as-of. */
  instant(ms: number): string {
    return formatInstant(Math.min(ms, this.asOfMs));
  }
}

const round = (value: number, decimals: number): number => {
  const f = decimals === 0 ? 1 : decimals === 1 ? 10 : 100;
  return Math.round(value * f) / f;
};

export interface BuiltEncounter {
  id: string;
  /** `{"reference":"Encounter/<id>"}` */
  refJson: string;
  startMs: number;
  endMs: number;
}

const ENCOUNTER_FRAGMENTS = Object.fromEntries(
  Object.entries(ENCOUNTERS).map(([kind, spec]) => [
    kind,
    `"class":${json(spec.class)},"type":${json(spec.type)}`,
  ]),
) as Record<EncounterKind, string>;

/** Appends an Encounter (check-ups and follow-ups in clinic hours); returns what its observations need. */
export function buildEncounter(
  ctx: RecordContext,
  kind: EncounterKind,
  t: number,
  hours: number,
  inProgress: boolean,
  out: ResourceLine[],
): BuiltEncounter {
  const id = ctx.nextId();
  const startMs = kind === 'checkup' || kind === 'followUp' ? ctx.clinicMs(t) : ctx.ms(t);
  const endMs = inProgress ? startMs : Math.round((startMs + hours * HOUR_MS) / 60000) * 60000;
  const start = ctx.instant(startMs);
  const period = inProgress ? `{"start":"${start}"}` : `{"start":"${start}","end":"${ctx.instant(endMs)}"}`;
  out.push({
    type: 'Encounter',
    json:
      `{"resourceType":"Encounter","id":"${id}","meta":{"lastUpdated":"${ctx.instant(endMs + HOUR_MS)}"},` +
      `"status":"${inProgress ? 'in-progress' : 'finished'}",${ENCOUNTER_FRAGMENTS[kind]},` +
      `"subject":${ctx.subjectJson},"period":${period},"serviceProvider":${ctx.organizationJson}}`,
  });
  return { id, refJson: `{"reference":"Encounter/${id}"}`, startMs, endMs };
}

const MEASURE_FRAGMENTS = Object.fromEntries(
  Object.entries(MEASURES).map(([kind, m]) => [
    kind,
    {
      head: `"status":"final","category":${json(m.category)},"code":${json(m.code)},"subject":`,
      unit: `,"unit":${json(m.unit)},"system":"${SYSTEM.ucum}","code":${json(m.ucum)}}}`,
      decimals: m.decimals,
    },
  ]),
) as Record<MeasureKind, { head: string; unit: string; decimals: number }>;

const observationHead = (ctx: RecordContext, effectiveMs: number) =>
  `{"resourceType":"Observation","id":"${ctx.nextId()}","meta":{"lastUpdated":"${ctx.instant(effectiveMs + 2 * HOUR_MS)}"},`;

/** A single-valued observation with a UCUM quantity. */
export function buildQuantity(
  ctx: RecordContext,
  kind: MeasureKind,
  value: number,
  encounter: BuiltEncounter,
  effectiveMs: number,
  out: ResourceLine[],
): void {
  const f = MEASURE_FRAGMENTS[kind];
  out.push({
    type: 'Observation',
    json:
      `${observationHead(ctx, effectiveMs)}${f.head}${ctx.subjectJson},"encounter":${encounter.refJson},` +
      `"effectiveDateTime":"${ctx.instant(effectiveMs)}","valueQuantity":{"value":${round(value, f.decimals)}${f.unit}`,
  });
}

const BP_HEAD = `"status":"final","category":${json(OBSERVATION_CATEGORY.vitals)},"code":${json(BLOOD_PRESSURE.code)},"subject":`;
const MMHG = `,"unit":"mmHg","system":"${SYSTEM.ucum}","code":"mm[Hg]"}`;
const SYSTOLIC = `{"code":${json(BLOOD_PRESSURE.systolic)},"valueQuantity":{"value":`;
const DIASTOLIC = `{"code":${json(BLOOD_PRESSURE.diastolic)},"valueQuantity":{"value":`;

/** The blood-pressure panel: systolic and diastolic as components, no value of its own. */
export function buildBloodPressure(
  ctx: RecordContext,
  bp: { systolic: number; diastolic: number },
  encounter: BuiltEncounter,
  effectiveMs: number,
  out: ResourceLine[],
): void {
  out.push({
    type: 'Observation',
    json:
      `${observationHead(ctx, effectiveMs)}${BP_HEAD}${ctx.subjectJson},"encounter":${encounter.refJson},` +
      `"effectiveDateTime":"${ctx.instant(effectiveMs)}","component":[` +
      `${SYSTOLIC}${Math.round(bp.systolic)}${MMHG}},${DIASTOLIC}${Math.round(bp.diastolic)}${MMHG}}]}`,
  });
}

export interface ConditionRecord {
  kind: ConditionKind;
  /** Where it was recorded. */
  encounter: BuiltEncounter;
  /** Epoch ms of onset (may precede the record). */
  onsetMs: number;
  /** Recorded at a visit as a new diagnosis, or carried on the problem list. */
  newDiagnosis: boolean;
  /** Epoch ms it resolved, if it did. */
  abatementMs?: number;
}

const CONDITION_FRAGMENTS = Object.fromEntries(
  Object.entries(CONDITIONS).map(([kind, code]) => [kind, `"code":${json(code)},"subject":`]),
) as Record<ConditionKind, string>;
const ACTIVE = `"clinicalStatus":${json(CLINICAL_STATUS.active)},"verificationStatus":${json(VERIFICATION_CONFIRMED)},`;
const RESOLVED = `"clinicalStatus":${json(CLINICAL_STATUS.resolved)},"verificationStatus":${json(VERIFICATION_CONFIRMED)},`;
const ENCOUNTER_DIAGNOSIS = `"category":${json(CONDITION_CATEGORY.encounterDiagnosis)},`;
const PROBLEM_LIST = `"category":${json(CONDITION_CATEGORY.problemList)},`;

/** Appends a Condition: SNOMED CT + ICD-10-CM code, statuses, category, onset and recorded date. */
export function buildCondition(ctx: RecordContext, c: ConditionRecord, out: ResourceLine[]): void {
  const recordedMs = c.encounter.startMs;
  const resolved = c.abatementMs !== undefined;
  const lastUpdated = ctx.instant(Math.max(recordedMs, c.abatementMs ?? 0) + HOUR_MS);
  out.push({
    type: 'Condition',
    json:
      `{"resourceType":"Condition","id":"${ctx.nextId()}","meta":{"lastUpdated":"${lastUpdated}"},` +
      `${resolved ? RESOLVED : ACTIVE}${c.newDiagnosis ? ENCOUNTER_DIAGNOSIS : PROBLEM_LIST}` +
      `${CONDITION_FRAGMENTS[c.kind]}${ctx.subjectJson},"encounter":${c.encounter.refJson},` +
      `"onsetDateTime":"${ctx.instant(Math.min(c.onsetMs, recordedMs))}",` +
      `${resolved ? `"abatementDateTime":"${ctx.instant(c.abatementMs!)}",` : ''}` +
      `"recordedDate":"${ctx.instant(recordedMs)}"}`,
  });
}
