/**
 * Prescriptions: which drugs a person is ordered, at which planned visit, and how each course
 * ends, following the conditions of their profile and the shares in `TREATMENT_SHARES`; then the
 * MedicationRequest resources. The drugs with a modelled lab effect start exactly when the lab
 * model starts the effect (`glucoseLoweringStart`, `statinStart`): an incident condition's drugs
 * are ordered at its diagnosis visit; a condition older than the record has its drugs on file at
 * the first visit (renewed there; the effect began before the record).
 * Requester omitted (the generator has no practitioners). See: https://hl7.org/fhir/R4/medicationrequest.html
 */
import type { ClinicalProfile } from './clinical-profile';
import type { BuiltEncounter, RecordContext, ResourceLine } from './clinical-resources';
import { TREATMENT_SHARES } from './epidemiology';
import { formatInstant } from './instant';
import { glucoseLoweringStart, onsetTime, statinStart } from './measurements';
import type { Random } from './random';
import { DRUGS, type DrugKind } from './terminology';
import type { PlannedEncounter } from './timeline';

export type MedicationStatus = 'active' | 'stopped' | 'completed';

/** One prescription: the drug, the planned visit it was ordered at, and its end if it ended. */
export interface MedicationCourse {
  drug: DrugKind;
  /** Index into the planned encounters. */
  encounter: number;
  status: MedicationStatus;
  /** End in years relative to as-of (stopped or completed courses only). */
  endT?: number;
}

const DAY = 1 / 365.25;

/** The first planned visit at or after `t` (the first visit for a time before the record), or -1. */
function visitAt(plan: readonly PlannedEncounter[], t: number): number {
  if (plan.length === 0) return -1;
  if (t <= plan[0]!.t) return 0;
  return plan.findIndex((e) => e.t >= t);
}

/** The first check-up or follow-up at or after `t`, or -1. */
function clinicVisitAfter(plan: readonly PlannedEncounter[], t: number): number {
  return plan.findIndex((e) => e.t >= t && (e.kind === 'checkup' || e.kind === 'followUp') && !e.inProgress);
}

/** Plans a person's prescriptions over the planned visits; `random` is a stream of its own. */
export function planMedications(
  p: ClinicalProfile,
  plan: readonly PlannedEncounter[],
  random: Random,
): MedicationCourse[] {
  const out: MedicationCourse[] = [];
  const order = (drug: DrugKind, encounter: number): MedicationCourse | undefined => {
    if (encounter < 0) return undefined;
    const course: MedicationCourse = { drug, encounter, status: 'active' };
    out.push(course);
    return course;
  };
  /**
   * Ends a course: stopped at the first clinic visit `after` years on, completed
   * `after` years on; a course that would end after as-of stays active.
   */
  const end = (
    course: MedicationCourse | undefined,
    status: Exclude<MedicationStatus, 'active'>,
    after: number,
  ) => {
    if (!course) return;
    const from = plan[course.encounter]!.t + after;
    const endT = status === 'stopped' ? plan[clinicVisitAfter(plan, from)]?.t : from;
    if (endT !== undefined && endT < -DAY) Object.assign(course, { status, endT });
  };
  const shares = TREATMENT_SHARES;

  if (p.diabetes && p.glucoseLowering) {
    const dx = visitAt(plan, glucoseLoweringStart(p));
    if (random.chance(shares.metforminFirstLine)) {
      const metformin = order('metformin', dx);
      if (random.chance(shares.metforminStopped)) end(metformin, 'stopped', random.uniform(0.1, 1));
    } else order(p.diabetes.diagnosisA1c >= 10 ? 'insulinGlargine' : 'empagliflozin', dx);
    const addOns: [DrugKind, number][] = [
      ['empagliflozin', shares.sglt2AddOn],
      ['semaglutideDiabetes', shares.glp1AddOn],
      ['insulinGlargine', shares.insulinAddOn],
    ];
    for (const [drug, share] of addOns) {
      const later = random.uniform(0.5, 4);
      if (random.chance(share) && !out.some((c) => c.drug === drug)) {
        order(drug, clinicVisitAfter(plan, onsetTime(p.diabetes) + later));
      }
    }
  }

  if (p.statin) order('atorvastatin', visitAt(plan, statinStart(p)));

  if (p.heartFailure) {
    const at = visitAt(plan, onsetTime(p.heartFailure));
    const gdmt = shares.heartFailure[p.heartFailure.type];
    if (random.chance(gdmt.raas)) order(random.chance(shares.aceInhibitor) ? 'lisinopril' : 'losartan', at);
    if (random.chance(gdmt.betaBlocker)) {
      const betaBlocker = order(random.chance(0.5) ? 'carvedilol' : 'metoprololSuccinate', at);
      if (random.chance(shares.betaBlockerStopped)) end(betaBlocker, 'stopped', random.uniform(0.05, 1));
    }
    const loop = order('furosemide', at);
    if (!random.chance(shares.loopDiureticLongTerm)) end(loop, 'completed', random.uniform(14, 42) * DAY);
    if (random.chance(gdmt.mra)) {
      const mra = order('spironolactone', at);
      if (random.chance(shares.mraStopped)) end(mra, 'stopped', random.uniform(0.05, 1));
    }
    if (random.chance(gdmt.sglt2) && !out.some((c) => c.drug === 'empagliflozin')) order('empagliflozin', at);
  }

  if (!p.diabetes && p.bmi >= 30 && random.chance(shares.glp1Obesity)) {
    order('semaglutideObesity', clinicVisitAfter(plan, -random.uniform(0.2, 2)));
  }
  return out;
}

const DRUG_FRAGMENTS = Object.fromEntries(
  Object.entries(DRUGS).map(([kind, d]) => [
    kind,
    `"medicationCodeableConcept":${JSON.stringify(d.code)},"subject":`,
  ]),
) as Record<DrugKind, string>;
const HOUR_MS = 3600 * 1000;

/** Appends the MedicationRequests of `courses`, each referencing the encounter it was ordered at. */
export function buildMedicationRequests(
  ctx: RecordContext,
  courses: readonly MedicationCourse[],
  encounters: readonly BuiltEncounter[],
  out: ResourceLine[],
): void {
  for (const course of courses) {
    const encounter = encounters[course.encounter]!;
    const authored = ctx.instant(encounter.startMs);
    const endMs = course.endT === undefined ? undefined : Math.min(ctx.ms(course.endT), ctx.asOfMs);
    const bounds =
      endMs === undefined
        ? `{"start":"${authored}"}`
        : `{"start":"${authored}","end":"${formatInstant(endMs)}"}`;
    const lastUpdated = ctx.instant(Math.max(encounter.startMs, endMs ?? 0) + HOUR_MS);
    out.push({
      type: 'MedicationRequest',
      json:
        `{"resourceType":"MedicationRequest","id":"${ctx.nextId()}","meta":{"lastUpdated":"${lastUpdated}"},` +
        `"status":"${course.status}","intent":"order",${DRUG_FRAGMENTS[course.drug]}${ctx.subjectJson},` +
        `"encounter":${encounter.refJson},"authoredOn":"${authored}",` +
        `"dosageInstruction":[{"text":${JSON.stringify(DRUGS[course.drug].dosage)},` +
        `"timing":{"repeat":{"boundsPeriod":${bounds}}}}]}`,
    });
  }
}
