/**
 * The gateway over the demo cohort `start` generates (the Medplum comparison ran on it), for the
 * serving benchmarks: rate limit lifted so the figures measure serving (the limiter middleware
 * still runs on every request), and the build-keyed cache on or off.
 */
import { createContextFactory } from '../../../src/context';
import { createLogger } from '../../../src/logger';
import { openRealApp } from '../../app/real-app';
import { buildTestWarehouse } from '../../support/cohort';

export const DEMO = { patients: 1000, orgs: 3, seed: 42 };

const UNLIMITED = { RATE_LIMIT_CAPACITY: '1000000000', RATE_LIMIT_REFILL_PER_SECOND: '1000000000' };

export async function openDemoApp({ cache }: { cache: boolean }) {
  if (cache) return openRealApp(DEMO, {}, UNLIMITED);
  const cohort = await buildTestWarehouse(DEMO);
  const createContext = createContextFactory({
    warehouse: cohort.warehouse,
    tokenSalt: cohort.salt,
    log: createLogger({ level: 'silent' }),
    cache: false,
  });
  return openRealApp(DEMO, { createContext }, UNLIMITED);
}
