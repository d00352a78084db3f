/**
 * The options of the gateway over the demo cohort `start` generates (the Medplum comparison ran on
 * it), for the serving benchmarks (`openTestApp(demoApp({ cache }))`): rate limit lifted so the
 * figures measure serving (the limiter middleware still runs on every request), and the
 * build-keyed cache on or off.
 */
import type { TokenAppOptions } from '../../support/app';

export const DEMO = { patients: 1000, orgs: 3, seed: 42 };

const UNLIMITED = { RATE_LIMIT_CAPACITY: '1000000000', RATE_LIMIT_REFILL_PER_SECOND: '1000000000' };

export const demoApp = ({ cache }: { cache: boolean }): TokenAppOptions => ({
  cohort: DEMO,
  env: UNLIMITED,
  ...(!cache && { cache: false }),
});
