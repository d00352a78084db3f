/** API Gateway event fixtures (test/fixtures/lambda) and a side-by-side run through the Lambda handler and the local server. */
import { readdirSync, readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { type RunningServer, startServer } from '../../src/server';

/** The fields of a v1 or v2 event this harness reads. */
interface GatewayEvent {
  version?: string;
  httpMethod?: string;
  path?: string;
  rawPath?: string;
  rawQueryString?: string;
  multiValueQueryStringParameters?: Record<string, string[]> | null;
  requestContext: { http?: { method: string } };
  headers: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

const DIR = new URL('../fixtures/lambda/', import.meta.url);
export const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.json'));

/** Reads an API Gateway event fixture, filling in `{{TOKEN}}`, `{{ORG}}` and `{{PATIENT_ID}}` (also inside base64 bodies). */
export function loadEvent(file: string, values: Record<string, string>): GatewayEvent {
  const fill = (s: string) => s.replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? `{{${k}}}`);
  const event = JSON.parse(fill(readFileSync(new URL(file, DIR), 'utf8')));
  if (event.body && event.isBase64Encoded) {
    event.body = Buffer.from(fill(Buffer.from(event.body, 'base64').toString('utf8'))).toString('base64');
  }
  return event;
}

/** The same request, as a plain HTTP request to the local server. */
export function asHttpRequest(event: GatewayEvent, baseUrl: string): Request {
  const v2 = event.version === '2.0';
  const method = (v2 ? event.requestContext.http?.method : event.httpMethod) ?? 'GET';
  const path = (v2 ? event.rawPath : event.path) ?? '/';
  const query = v2
    ? event.rawQueryString
    : new URLSearchParams(
        Object.entries((event.multiValueQueryStringParameters ?? {}) as Record<string, string[]>).flatMap(
          ([k, vs]) => vs.map((v) => [k, v]),
        ),
      ).toString();
  const headers = { ...event.headers };
  delete headers.host;
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  return new Request(`${baseUrl}${path}${query ? `?${query}` : ''}`, { method, headers, body });
}

const TRANSPORT = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/**
 * Runs every fixture through the Lambda handler and through the local server, and returns both
 * answers; header names are compared case-insensitively and without transport headers.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its environment type
export async function compareLambdaWithServer(app: Hono<any>, values: Record<string, string>) {
  const server: RunningServer = await startServer({ app, host: '127.0.0.1', port: 0 });
  const handler = handle(app);
  try {
    const results = [];
    for (const file of FIXTURES) {
      const event = loadEvent(file, values);
      const lambda = (await handler(event as never, {} as never)) as LambdaResult;
      const lambdaHeaders: Record<string, string> = lambda.multiValueHeaders
        ? Object.fromEntries(Object.entries(lambda.multiValueHeaders).map(([k, v]) => [k, v.join(', ')]))
        : (lambda.headers ?? {});
      const lambdaComparable = Object.fromEntries(
        Object.entries(lambdaHeaders)
          .map(([k, v]) => [k.toLowerCase(), v] as const)
          .filter(([k]) => !TRANSPORT.has(k)),
      );
      const res = await fetch(asHttpRequest(event, server.url));
      const serverHeaders = Object.fromEntries([...res.headers].filter(([k]) => !TRANSPORT.has(k)));
      results.push({
        file,
        lambda: {
          status: lambda.statusCode,
          headers: lambdaComparable,
          body: lambda.isBase64Encoded ? Buffer.from(lambda.body, 'base64').toString() : lambda.body,
        },
        server: { status: res.status, headers: serverHeaders, body: await res.text() },
      });
    }
    return results;
  } finally {
    await server.close();
  }
}
