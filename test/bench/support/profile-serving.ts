/**
 * Profiles uncached serving in-process: `node --cpu-prof bin/run-ts.js test/bench/support/profile-serving.ts [scenario]`
 * fires each scenario's requests at the app with the cache off, 8 at a time, and prints the mean time per request.
 */

import { openTestApp } from '../../support/app';
import { buildTestWarehouse } from '../../support/cohort';
import { DEMO, demoApp } from './demo-app';
import { servingScenarios } from './serving-scenarios';

const ROUNDS = Number(process.env.ROUNDS ?? 2000);
const wanted = process.argv[2];

const cohort = await buildTestWarehouse(DEMO);
const app = await openTestApp(demoApp({ cache: false }));
const org = cohort.organizations[0]!;
const headers = { Authorization: `Bearer ${await app.token(org)}`, Accept: 'application/fhir+json' };
for (const s of servingScenarios(cohort, org)) {
  if (wanted && !s.name.startsWith(wanted)) continue;
  let i = 0;
  const one = async () => {
    const res = await app.app.request(s.paths[i++ % s.paths.length]!, { headers });
    if (res.status !== 200) throw new Error(`${s.name}: ${res.status} ${await res.text()}`);
    await res.text();
  };
  for (let k = 0; k < 50; k++) await one();
  const t = performance.now();
  let left = ROUNDS;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) await one();
    }),
  );
  console.log(
    `${s.name.padEnd(28)} ${((performance.now() - t) / ROUNDS).toFixed(3)} ms/request (8 in flight)`,
  );
}
await app.close();
