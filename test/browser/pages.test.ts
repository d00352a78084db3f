import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { type RunningServer, startServer } from '../../src/server';
import { openTestApp, type TokenApp } from '../support/app';
import { browserAvailability, type OfflineBrowser, openOfflineBrowser } from './chromium';

const availability = browserAvailability({ ci: loadConfig().ci });
if (!availability.run) console.warn(`Skipping browser tests: ${availability.reason}`);

describe.skipIf(!availability.run)('the served pages in a real browser, offline', () => {
  let real: TokenApp;
  let server: RunningServer;
  let browser: OfflineBrowser;
  beforeAll(async () => {
    real = await openTestApp({ cohort: { patients: 6, orgs: 2, seed: 3 } });
    server = await startServer({ app: real.app, host: '127.0.0.1', port: 0 });
    browser = await openOfflineBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await real?.close();
  });

  it('loads GraphiQL, runs its example query with the dev token and shows the data', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response');
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user sees
    await expect.poll(() => result.innerText(), { timeout: 20_000 }).toContain('"data"');
    // The page's token is for the first organization; its patient count, from the generator's own output:
    const org = real.built.organizations[0]!;
    const patients = real.built.ndjson.get('Patient')!.filter((r) => r.org === org).length;
    // Monaco wraps long lines; compare without whitespace.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what the user sees
    const text = (await result.innerText()).replace(/\s+/g, '');
    expect(text).toContain(`"totalCount":${patients}`);
    expect(text).toContain('"encounters":{"edges":[{"node":{"id":');
    expect(text).toContain('"observations":{"edges":[');
    expect(text).not.toContain('"errors"');
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
