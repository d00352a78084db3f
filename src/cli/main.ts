/**
 * `fhir-gateway <command>`: the local platform from the command line. Each command lives in
 * `src/cli/<command>.ts` (a `register<Command>` function) and is registered here.
 */
import { Command, CommanderError } from 'commander';
import { debugStacks } from '../config';
import { CliError } from './cli-error';
import { registerGenerate } from './generate';
import { registerIngest } from './ingest';
import { registerLoad } from './load';
import { registerServe } from './serve';
import { registerStart } from './start';
import { registerToken } from './token';
import { registerTransform } from './transform';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('fhir-gateway')
    .description(
      'FHIR R4 data platform: generate → load → transform → serve, on one laptop or on AWS + Snowflake',
    )
    .showHelpAfterError()
    // Each command reads the options after its own name (`ingest bulk --org` is bulk's, not ingest's).
    .enablePositionalOptions()
    .exitOverride();
  for (const register of [
    registerGenerate,
    registerLoad,
    registerTransform,
    registerServe,
    registerToken,
    registerIngest,
    registerStart,
  ]) {
    register(program);
  }
  for (const command of program.commands) command.exitOverride().showHelpAfterError();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!(error instanceof CliError) && debugStacks()) process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
