import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from './json-depth';
import { jsonSafety } from './json-safety';
import { onOutcomeError } from './outcome-response';

function app() {
  const a = new Hono();
  a.onError(onOutcomeError);
  a.use(jsonSafety({ maxDepth: 8, maxBundleEntries: 3 }));
  a.post('/json', async (c) => c.json({ parsed: await c.req.json() }));
  a.post('/raw', async (c) => c.text(await c.req.raw.text()));
  a.post('/form', async (c) => c.json(await c.req.parseBody()));
  return a;
}

const post = (path: string, body: string, type?: string) =>
  app().request(path, { method: 'POST', body, headers: type ? { 'content-type': type } : {} });

const issue = async (res: Response) => ((await res.json()) as { issue: unknown[] }).issue[0];

describe('jsonNestingDepth', () => {
  it('measures objects and arrays and ignores brackets inside strings', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('{"a":[{"b":[]}]}')).toBe(4);
    expect(jsonNestingDepth('{"a":"[[[[{{\\"[[["}')).toBe(1);
  });

  it('measures a document nested 100,000 deep without overflowing the stack', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(jsonNestingDepth(deep)).toBe(100_000);
    expect(jsonNestingDepth(deep, 64)).toBe(65);
  });
});

describe('jsonSafety', () => {
  it('passes well-formed FHIR JSON on to c.req.json() and to the raw request', async () => {
    const body = '{"resourceType":"Bundle","entry":[{},{},{}]}';
    const json = await post('/json', body, 'application/fhir+json; charset=utf-8');
    expect(await json.json()).toEqual({ parsed: { resourceType: 'Bundle', entry: [{}, {}, {}] } });
    const raw = await post('/raw', body, 'application/json');
    expect(await raw.text()).toBe(body);
  });

  it('answers a wrong content type with 415', async () => {
    const res = await post('/json', '{}', 'text/plain');
    expect(res.status).toBe(415);
    expect(await issue(res)).toMatchObject({ severity: 'error', code: 'not-supported' });
  });

  it('answers a body without a content type with 415', async () => {
    const res = await post('/json', '{}');
    expect(res.status).toBe(415);
  });

  it('answers malformed JSON with 400 and does not echo the body', async () => {
    const res = await post('/json', '{"name": "Jane Doe",', 'application/json');
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).issue[0]).toEqual({
      severity: 'error',
      code: 'invalid',
      diagnostics: 'The request body is not valid JSON',
    });
    expect(text).not.toContain('Jane');
  });

  it('answers JSON nested 10,000 deep with 400 without parsing it', async () => {
    const res = await post('/json', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'application/json');
    expect(res.status).toBe(400);
    expect(await issue(res)).toEqual({
      severity: 'error',
      code: 'invalid',
      diagnostics: 'The JSON body is nested too deeply',
    });
  });

  it('accepts nesting at exactly the limit', async () => {
    const res = await post('/json', `${'['.repeat(8)}${']'.repeat(8)}`, 'application/json');
    expect(res.status).toBe(200);
  });

  it('answers a Bundle with more entries than allowed with 413', async () => {
    const res = await post(
      '/json',
      '{"resourceType":"Bundle","entry":[{},{},{},{}]}',
      'application/fhir+json',
    );
    expect(res.status).toBe(413);
    expect(await issue(res)).toEqual({
      severity: 'error',
      code: 'too-long',
      diagnostics: 'The Bundle has too many entries',
    });
  });

  it('answers a body that is not UTF-8 with 400', async () => {
    const res = await app().request('/json', {
      method: 'POST',
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });

  it('lets form posts (FHIR _search) through unparsed', async () => {
    const res = await post('/form', 'name=smith&_count=2', 'application/x-www-form-urlencoded');
    expect(await res.json()).toEqual({ name: 'smith', _count: '2' });
  });
});
