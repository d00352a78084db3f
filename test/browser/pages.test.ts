import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { type RunningServer, startServer } from '../../src/server';
import { createShellHarness } from '../app/stand-ins';
import { browserAvailability, type OfflineBrowser, openOfflineBrowser } from './chromium';
import { standInGraphQL } from './stand-in-graphql';

const availability = browserAvailability({ ci: loadConfig().ci });
if (!availability.run) console.warn(`Skipping browser tests: ${availability.reason}`);

describe.skipIf(!availability.run)('the served pages in a real browser, offline', () => {
  let h: Awaited<ReturnType<typeof createShellHarness>>;
  let server: RunningServer;
  let browser: OfflineBrowser;
  beforeAll(async () => {
    h = await createShellHarness({}, { graphql: standInGraphQL });
    await h.warehouse.execute(`create schema api;
      create table api.dim_patient_api (organization_id varchar, id varchar);
      insert into api.dim_patient_api values ('org-7', 'p1');`);
    server = await startServer({ app: h.app, host: '127.0.0.1', port: 0 });
    browser = await openOfflineBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await h?.close();
  });

  it('loads GraphiQL, runs its example query with the dev token and shows the data', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response');
    await expect.poll(() => result.innerText(), { timeout: 20_000 }).toContain('patient-of-org-7');
    // Monaco wraps long lines; compare without whitespace.
    const text = (await result.innerText()).replace(/\s+/g, '');
    expect(text).toContain('"totalCount":1');
    expect(text).toContain('"display":"HemoglobinA1c"');
    expect(browser.errors).toEqual([]);
    expect(browser.blocked).toEqual([]);
  });

  it('renders the API reference page with every documented path', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/docs`);
    const doc = parse(await (await fetch(`${server.url}/openapi.yaml`)).text());
    const headings = await page.locator('section.op h3 code').allInnerTexts();
    expect(new Set(headings)).toEqual(new Set(Object.keys(doc.paths)));
    expect(await page.title()).toBe('fhir-gateway — API reference');
    expect(browser.blocked).toEqual([]);
  });
});
