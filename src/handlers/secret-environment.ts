import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

/**
 * Variables that name a Secrets Manager secret (ARN or name) instead of holding its value, and the
 * variable each one fills. The CDK app passes only these references, never a secret's value.
 */
export const SECRET_REFERENCES = {
  TOKEN_SALT_SECRET_ARN: 'TOKEN_SALT',
  SNOWFLAKE_PRIVATE_KEY_SECRET_ARN: 'SNOWFLAKE_PRIVATE_KEY',
} as const;

/** Reads one secret's string value. */
export type SecretReader = (secretId: string) => Promise<string>;

/** Reads secrets with the AWS SDK (the region and credentials of the Lambda's environment). */
export function secretsManagerReader(clientConfig: SecretsManagerClientConfig = {}): SecretReader {
  return async (secretId) => {
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient(clientConfig);
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new Error(`The secret ${secretId} has no string value`);
      return out.SecretString;
    } finally {
      client.destroy();
    }
  };
}

/**
 * The environment with every `SECRET_REFERENCES` variable resolved into its value (at cold start,
 * before `loadConfig` reads it). A value and a reference for the same variable are refused.
 */
export async function resolveSecretEnvironment(
  env: Record<string, string | undefined>,
  read: SecretReader = secretsManagerReader(),
): Promise<Record<string, string | undefined>> {
  const resolved = { ...env };
  for (const [reference, name] of Object.entries(SECRET_REFERENCES)) {
    const secretId = env[reference];
    if (!secretId) continue;
    if (env[name]) throw new Error(`${name} and ${reference} are both set: give the value or the secret`);
    resolved[name] = await read(secretId);
  }
  return resolved;
}
