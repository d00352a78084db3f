import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config';

/**
 * The pseudonymisation key (salt) shared by the dbt models and the gateway. Production passes it in
 * (`TOKEN_SALT`, or `TOKEN_SALT_SECRET_ARN` through `resolveSecretEnvironment`) and refuses to start
 * without it; local mode creates a random one once under `.data/keys/token-salt`.
 */
export async function resolvePseudonymSalt(config: Config): Promise<string> {
  if (config.tokenSalt) return config.tokenSalt;
  if (config.production) {
    throw new Error('TOKEN_SALT is required in production (the tokenization key; never commit it)');
  }
  const file = join(config.auth.devKeysDir, 'token-salt');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(config.auth.devKeysDir, { recursive: true });
    const salt = randomBytes(32).toString('hex');
    await writeFile(file, `${salt}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(file, 'utf8')).trim();
  }
}
