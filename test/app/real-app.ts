/** The real gateway app in development mode (dev issuer tokens) over a generated cohort. */
import type { AppDeps } from '../../src/app';
import type { CohortOptions } from '../support/cohort';
import { openRealGateway } from '../support/real-gateway';

export async function openRealApp(
  cohort: CohortOptions,
  overrides: Partial<AppDeps> = {},
  env: Record<string, string> = {},
) {
  const real = await openRealGateway(cohort, {
    env: { PUBLIC_BASE_URL: 'http://127.0.0.1:4000', ...env },
    overrides,
  });
  return {
    ...real,
    token: (org: string, scopes?: string[]) => real.devIssuer!.mintDevToken({ org, scopes }),
  };
}
