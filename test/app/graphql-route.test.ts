import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TokenApp } from '../support/app';

let real: TokenApp;
let auth: Record<string, string>;
beforeAll(async () => {
  real = await openTestApp({ cohort: { patients: 4, orgs: 2, seed: 21 } });
  auth = { Authorization: `Bearer ${await real.token(real.built.organizations[1]!)}` };
});
afterAll(() => real.close());

describe('/graphql on the real app', () => {
  it("answers a GET with the query in the URL, scoped to the token's organization", async () => {
    const org = real.built.organizations[1]!;
    const expected = real.built.ndjson.get('Patient')!.filter((r) => r.org === org).length;
    const query = encodeURIComponent('{ patients(first: 1) { totalCount } }');
    const res = await real.app.request(`/graphql?query=${query}`, {
      headers: { ...auth, Accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { patients: { totalCount: expected } } });
  });

  it('needs a token for a GET query too; only a browser asking for HTML gets GraphiQL without one', async () => {
    const query = encodeURIComponent('{ patients(first: 1) { totalCount } }');
    const refused = await real.app.request(`/graphql?query=${query}`, {
      headers: { Accept: 'application/json' },
    });
    expect(refused.status).toBe(401);
    const page = await real.app.request('/graphql', {
      headers: { Accept: 'text/html,application/xhtml+xml' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it("answers a missing (or another organization's) patient with null, as a 200", async () => {
    const res = await real.app.request('/graphql', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ patient(id: "no-such-id") { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { patient: null } });
  });
});
