import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config';

/**
 * The tokenization key shared by the dbt models and the gateway. Production passes it in
 * (`TOKEN_SALT`); local mode creates a random one once under `.data/keys/token-salt`.
 */
export async function resolveTokenSalt(config: Config): Promise<string> {
  if (config.tokenSalt) return config.tokenSalt;
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
