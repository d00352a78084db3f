import type { Command } from 'commander';
import { openApp } from '../app';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { type RunningServer, startServer } from '../server';

/** `fhir-gateway serve`: the gateway on `HOST`:`PORT` (default 127.0.0.1:4000) until SIGINT / SIGTERM. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve GraphQL (GraphiQL in development) and REST FHIR from the built warehouse')
    .addHelpText(
      'after',
      '\nListens on HOST:PORT (default 127.0.0.1:4000); links use PUBLIC_BASE_URL when set.',
    )
    .action(async () => {
      const config = loadConfig();
      const log = createLogger({ level: config.logLevel });
      const opened = await openApp(config, log);
      const server = await startServer({
        app: opened.app,
        host: config.server.host,
        port: config.server.port,
      }).catch(async (error) => {
        await opened.close();
        throw error;
      });
      process.stderr.write(`fhir-gateway listening on ${server.url}\n`);
      await untilSignal(server, opened.close);
    });
}

/** Resolves once SIGINT or SIGTERM has closed the server and then `cleanup` has run. */
export function untilSignal(server: RunningServer, cleanup: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = async () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write('stopping…\n');
      await server.close();
      await cleanup();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
