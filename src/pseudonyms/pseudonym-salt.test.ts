import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { resolvePseudonymSalt } from './pseudonym-salt';

const production = {
  APP_ENV: 'production',
  AUTH_MODE: 'jwks',
  AUTH_JWKS_URL: 'https://idp.example.com/jwks.json',
  AUTH_ISSUER: 'https://idp.example.com/',
};

describe('the pseudonymisation salt in production', () => {
  it('is demanded by the processes that tokenize, not by those that only load their configuration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pseudonym-salt-'));
    // The authorizer and the bulk handlers: production configuration without a salt loads.
    const config = loadConfig({ ...production, DATA_DIR: dir });
    // The gateway (openApp) resolves the salt, and refuses to invent one in production.
    await expect(resolvePseudonymSalt(config)).rejects.toThrow(/TOKEN_SALT is required in production/);
    expect(await resolvePseudonymSalt(loadConfig({ DATA_DIR: dir }))).toMatch(/^[0-9a-f]{64}$/);
  });
});
