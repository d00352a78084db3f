/**
 * Generator benchmark, on one core (one process, no workers):
 * - generation alone (records serialized to NDJSON lines in memory, then dropped);
 * - end to end through the landing writer into a local object store in a temp dir;
 * - the ratio to Synthea's ≈1,000 patients per minute, and what this generator models less.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCohort, generatePatientLines } from '../../ingestion/synthetic';
import { createLocalObjectStore } from '../../src/object-store';

const PATIENTS = 20_000;
const SYNTHEA_PER_SECOND = 1000 / 60;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Wall and CPU seconds since `start` (CPU: this process, all threads — the figure for one core on a busy machine). */
function elapsed(start: { wall: number; cpu: NodeJS.CpuUsage }) {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: (performance.now() - start.wall) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}
const mark = () => ({ wall: performance.now(), cpu: process.cpuUsage() });

export async function run(): Promise<void> {
  const options = { patients: PATIENTS, orgs: 5, seed: 2026 };
  generatePatientLines(options, 0);

  let started = mark();
  let bytes = 0;
  let resources = 0;
  for (let i = 0; i < PATIENTS; i++) {
    for (const line of generatePatientLines(options, i).lines) {
      bytes += Buffer.byteLength(line.json) + 1;
      resources += 1;
    }
  }
  let t = elapsed(started);
  console.log(
    `generation only: ${fmt(PATIENTS)} patients, ${fmt(resources)} resources, ${fmt(bytes / 1e6, 1)} MB in ` +
      `${t.wall.toFixed(2)} s wall / ${t.cpu.toFixed(2)} s CPU → ${fmt(PATIENTS / t.wall)} patients/s ` +
      `(${fmt(PATIENTS / t.cpu)} per CPU-second), ${fmt(bytes / 1e6 / t.wall, 1)} MB/s ` +
      `(${fmt(resources / PATIENTS, 1)} resources, ${fmt(bytes / PATIENTS / 1024, 1)} KiB per patient)`,
  );

  const root = await mkdtemp(join(tmpdir(), 'bench-generator-'));
  try {
    started = mark();
    const summary = await generateCohort(createLocalObjectStore({ root }), options);
    t = elapsed(started);
    const perSecond = PATIENTS / t.wall;
    console.log(
      `end to end (landing writer → local store): ${summary.files.length} files, ${fmt(summary.bytes / 1e6, 1)} MB ` +
        `in ${t.wall.toFixed(2)} s wall / ${t.cpu.toFixed(2)} s CPU → ${fmt(perSecond)} patients/s ` +
        `(${fmt(PATIENTS / t.cpu)} per CPU-second), ${fmt(summary.bytes / 1e6 / t.wall, 1)} MB/s ` +
        `(target ≥ 2,000 patients/s on one core)`,
    );
    console.log(
      `vs Synthea (≈1,000 patients/minute): ${fmt(perSecond / SYNTHEA_PER_SECOND)}× faster end to end, ` +
        `${fmt(PATIENTS / t.cpu / SYNTHEA_PER_SECOND)}× per CPU-second (target > 100×)`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  console.log(
    'models less than Synthea: adults only (no births, childhood or lifetime history); five resource types ' +
      '(no MedicationRequest, Procedure, Immunization, AllergyIntolerance, CarePlan, Claim/EOB, ImagingStudy, ' +
      'DiagnosticReport, Practitioner); treatment exists only as its effect on values (HbA1c, BP, LDL, NT-proBNP, ' +
      "weight); care pathways are rate-based visit schedules, not Synthea's state-machine modules; " +
      'cardiometabolic conditions only; no deaths.',
  );
}
