import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SecretsManagerStandIn,
  startSecretsManagerStandIn,
} from '../../test/support/secrets-manager-standin';
import { loadConfig } from '../config';
import { resolvePseudonymSalt } from '../pseudonyms';
import { resolveSecretEnvironment, secretsManagerReader } from './secret-environment';

const SECRETS: Record<string, string> = {
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:fhir-gateway-dev/token-salt-AbCdEf':
    'salt-from-secrets-manager-0123456789',
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:fhir-gateway-dev/snowflake/gateway-private-key-GhIjKl':
    '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n',
};
let standIn: SecretsManagerStandIn;
let read: ReturnType<typeof secretsManagerReader>;
beforeAll(async () => {
  standIn = await startSecretsManagerStandIn(SECRETS);
  // The real AWS SDK client, pointed at the loopback stand-in.
  read = secretsManagerReader({
    endpoint: standIn.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(() => standIn.close());

const [SALT_ARN, KEY_ARN] = Object.keys(SECRETS) as [string, string];
const production = {
  APP_ENV: 'production',
  AUTH_MODE: 'jwks',
  AUTH_JWKS_URL: 'https://idp.example.com/jwks.json',
  AUTH_ISSUER: 'https://idp.example.com/',
};

describe('secrets passed by reference (as the CDK app deploys them)', () => {
  it('resolves TOKEN_SALT_SECRET_ARN and SNOWFLAKE_PRIVATE_KEY_SECRET_ARN into the values loadConfig reads', async () => {
    const env = await resolveSecretEnvironment(
      {
        ...production,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'secrets-')),
        TOKEN_SALT_SECRET_ARN: SALT_ARN,
        WAREHOUSE: 'snowflake',
        SNOWFLAKE_ACCOUNT: 'example-dev',
        SNOWFLAKE_USER: 'FHIR_GATEWAY_SVC',
        SNOWFLAKE_DATABASE: 'FHIR_GATEWAY',
        SNOWFLAKE_PRIVATE_KEY_SECRET_ARN: KEY_ARN,
      },
      read,
    );
    expect(standIn.asked).toEqual([
      { target: 'secretsmanager.GetSecretValue', secretId: SALT_ARN },
      { target: 'secretsmanager.GetSecretValue', secretId: KEY_ARN },
    ]);
    const config = loadConfig(env);
    expect(await resolvePseudonymSalt(config)).toBe(SECRETS[SALT_ARN]);
    expect(config.warehouse).toMatchObject({ kind: 'snowflake', privateKey: SECRETS[KEY_ARN] });
  });

  it('leaves an environment without references as it is, and refuses a value and a reference together', async () => {
    expect(await resolveSecretEnvironment({ TOKEN_SALT: 'x'.repeat(16) }, read)).toEqual({
      TOKEN_SALT: 'x'.repeat(16),
    });
    await expect(
      resolveSecretEnvironment({ TOKEN_SALT: 'x'.repeat(16), TOKEN_SALT_SECRET_ARN: SALT_ARN }, read),
    ).rejects.toThrow(/both set/);
  });

  it('fails the cold start when a referenced secret cannot be read', async () => {
    await expect(
      resolveSecretEnvironment({ TOKEN_SALT_SECRET_ARN: `${SALT_ARN}-gone` }, read),
    ).rejects.toThrow(/not found/);
  });
});
