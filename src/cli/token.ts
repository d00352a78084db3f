import type { Command } from 'commander';
import { createIdentity } from '../auth/identity';
import { loadConfig } from '../config';
import { CliError } from './cli-error';

/** `fhir-gateway token --org <org> [--scope <scopes>] [--ttl <seconds>]`: prints a dev token, and only it, on stdout. */
export function registerToken(program: Command): void {
  program
    .command('token')
    .description('Mint a dev bearer token for an organization (local dev issuer; never in production)')
    .requiredOption('--org <org>', 'the organization (tenant) the token is for')
    .option(
      '--scope <scopes>',
      'SMART scopes, space-separated; repeatable',
      (v: string, all: string[] = []) => [...all, ...v.split(/\s+/).filter(Boolean)],
    )
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .option('--subject <sub>', 'the token subject', 'dev-user')
    .action(async (options: { org: string; scope?: string[]; ttl: string; subject: string }) => {
      const config = loadConfig();
      if (config.auth.mode !== 'dev') {
        throw new CliError('`token` mints dev-issuer tokens only (AUTH_MODE=dev, not in production)');
      }
      const ttlSeconds = Number(options.ttl);
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > 30 * 86_400) {
        throw new CliError('--ttl must be a whole number of seconds between 1 and 2592000');
      }
      const { devIssuer } = await createIdentity(config);
      const token = await devIssuer!.mintDevToken({
        org: options.org,
        scopes: options.scope ?? ['system/*.rs'],
        subject: options.subject,
        ttlSeconds,
      });
      process.stdout.write(`${token}\n`);
    });
}
