/**
 * The AWS Lambda entry (API Gateway REST v1 and HTTP API v2 events) via `hono/aws-lambda`: the
 * same app the local server runs, created once per container at module scope. Secrets named by
 * ARN are read from Secrets Manager first (top-level await); opening the warehouse is
 * asynchronous, so the module-scope app awaits it on first use.
 */
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { openApp } from '../app';
import { loadConfig } from '../config';
import { internalError } from '../fhir/operation-outcome';
import { outcomeResponse } from '../http';
import { createLogger, type Logger } from '../logger';
import { resolveSecretEnvironment } from './secret-environment';

/** An app that serves every request with the app `opening` resolves to, once it has. */
export function createDeferredApp(opening: Promise<Hono>, log: Logger): Hono {
  opening.catch((error) => log.fatal({ err: error }, 'the gateway failed to start'));
  const app = new Hono();
  app.all('*', async (c) => (await opening).fetch(c.req.raw, c.env));
  app.onError(() => outcomeResponse(internalError(randomUUID())));
  return app;
}

// Secrets arrive by reference (`*_SECRET_ARN`, infra/lib/api-stack.ts) and are read once per container.
const config = loadConfig(await resolveSecretEnvironment(process.env));
const log = createLogger({ level: config.logLevel });
const app = createDeferredApp(
  openApp(config, log).then((opened) => opened.app as unknown as Hono),
  log,
);

export const handler = handle(app);
