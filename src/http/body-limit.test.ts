import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bodyLimit } from './body-limit';
import { onOutcomeError } from './outcome-response';

function echoApp(maxBytes: number) {
  const app = new Hono();
  app.onError(onOutcomeError);
  app.use(bodyLimit({ maxBytes }));
  app.post('/echo', async (c) => c.text(await c.req.text()));
  return app;
}

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

const tooLarge = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'too-long', diagnostics: 'Request body too large' }],
};

describe('bodyLimit', () => {
  it('refuses a declared Content-Length over the limit with a 413 OperationOutcome before reading', async () => {
    const res = await echoApp(100).request('/echo', {
      method: 'POST',
      headers: { 'content-length': '101' },
      body: 'x'.repeat(101),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    expect(await res.json()).toEqual(tooLarge);
  });

  it('refuses a streamed body without Content-Length once it passes the limit', async () => {
    const res = await echoApp(100).request('/echo', {
      method: 'POST',
      body: stream(['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60)]),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(tooLarge);
  });

  it('hands a streamed body within the limit on to the handler intact', async () => {
    const res = await echoApp(100).request('/echo', {
      method: 'POST',
      body: stream(['{"a":', '1}']),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"a":1}');
  });

  it('lets a body of exactly the limit and a bodiless request through', async () => {
    const app = echoApp(5);
    const exact = await app.request('/echo', {
      method: 'POST',
      body: 'abcde',
      headers: { 'content-length': '5' },
    });
    expect([exact.status, await exact.text()]).toEqual([200, 'abcde']);
    const empty = await app.request('/echo', { method: 'POST' });
    expect([empty.status, await empty.text()]).toEqual([200, '']);
  });

  it('refuses a Content-Length that is not a number', async () => {
    const res = await echoApp(100).request('/echo', {
      method: 'POST',
      headers: { 'content-length': 'abc' },
      body: 'x',
    });
    expect(res.status).toBe(413);
  });
});
