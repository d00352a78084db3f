/**
 * The server side of the Medplum comparison, in a process of its own so the load generator does
 * not share its event loop (Medplum was measured the same way): builds the demo cohort, serves the
 * gateway twice on loopback (cache on, cache off) and a bare `node:http` hello, then prints one
 * JSON line — the URLs, dev tokens, the scenarios and the served marts file's size — and serves
 * until its stdin closes. Run by test/bench/http.ts through bin/run-ts.js.
 */
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startServer } from '../../../src/server';
import { openTestApp } from '../../support/app';
import { buildTestWarehouse } from '../../support/cohort';
import { DEMO, demoApp } from './demo-app';
import { servingScenarios } from './serving-scenarios';

function martsBytes(dataDir: string): number {
  const dir = join(dataDir, 'warehouse', 'marts');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.duckdb'))
    .reduce((sum, f) => Math.max(sum, statSync(join(dir, f)).size), 0);
}

const cohort = await buildTestWarehouse(DEMO);
const cached = await openTestApp(demoApp({ cache: true }));
const uncached = await openTestApp(demoApp({ cache: false }));
const hello = createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello');
});
await new Promise<void>((resolve) => hello.listen(0, '127.0.0.1', resolve));
const cachedServer = await startServer({ app: cached.app, host: '127.0.0.1', port: 0 });
const uncachedServer = await startServer({ app: uncached.app, host: '127.0.0.1', port: 0 });
const org = cached.built.organizations[0]!;

process.stdout.write(
  `${JSON.stringify({
    helloUrl: `http://127.0.0.1:${(hello.address() as AddressInfo).port}/`,
    cachedUrl: cachedServer.url,
    uncachedUrl: uncachedServer.url,
    cachedToken: await cached.token(org),
    uncachedToken: await uncached.token(org),
    scenarios: servingScenarios(cohort, org),
    martsBytes: martsBytes(cohort.dir),
  })}\n`,
);

process.stdin.resume();
process.stdin.on('end', async () => {
  await cachedServer.close();
  await uncachedServer.close();
  await new Promise((resolve) => hello.close(resolve));
  await uncached.close();
  await cached.close();
  process.exit(0);
});
