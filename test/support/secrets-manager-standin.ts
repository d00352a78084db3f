/**
 * Test support: a loopback stand-in for the AWS Secrets Manager API (JSON 1.1 over HTTP,
 * `GetSecretValue` only) on 127.0.0.1, for the real AWS SDK client to talk to — through
 * `endpoint` in code, or `AWS_ENDPOINT_URL_SECRETS_MANAGER` in a child process's environment.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerStandIn {
  url: string;
  /** Every request: its `X-Amz-Target` and the secret asked for. */
  asked: { target: string | undefined; secretId: string }[];
  close: () => Promise<void>;
}

/** Serves `secrets` (secret id → string value); unknown ids get ResourceNotFoundException. */
export async function startSecretsManagerStandIn(
  secrets: Record<string, string>,
): Promise<SecretsManagerStandIn> {
  const asked: SecretsManagerStandIn['asked'] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    asked.push({ target: req.headers['x-amz-target'] as string | undefined, secretId: SecretId });
    const value = secrets[SecretId];
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (value === undefined) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
    } else res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
