import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dir = await mkdtemp(join(tmpdir(), 'lambda-module-'));
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

describe('src/handlers/lambda.ts', () => {
  it('serves API Gateway events from the app it creates at module scope from the environment', async () => {
    vi.stubEnv('DATA_DIR', dir);
    vi.stubEnv('LOG_LEVEL', 'silent');
    vi.stubEnv('PUBLIC_BASE_URL', 'https://api.example.org');
    const { handler } = await import('../../src/handlers/lambda');
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/fhir/metadata',
      rawQueryString: '',
      headers: { accept: 'application/fhir+json', host: 'api.example.org', 'x-request-id': 'lambda-1' },
      requestContext: {
        http: { method: 'GET', path: '/v1/fhir/metadata', sourceIp: '203.0.113.7' },
        stage: '$default',
      },
      isBase64Encoded: false,
    };
    const out = (await handler(event as never, {} as never)) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(out.statusCode).toBe(200);
    expect(out.headers['x-request-id']).toBe('lambda-1');
    expect(JSON.parse(out.body)).toMatchObject({
      resourceType: 'CapabilityStatement',
      implementation: { url: 'https://api.example.org/v1/fhir' },
    });
    const unauthenticated = (await handler(
      {
        ...event,
        rawPath: '/v1/fhir/Patient',
        requestContext: {
          ...event.requestContext,
          http: { ...event.requestContext.http, path: '/v1/fhir/Patient' },
        },
      } as never,
      {} as never,
    )) as { statusCode: number; headers: Record<string, string> };
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.headers['www-authenticate']).toBe('Bearer');
  });
});
