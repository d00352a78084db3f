/**
 * Structured JSON logs (pino) on stderr, so a command's stdout stays its own output.
 * Nothing that could be PHI is logged: call sites log ids, counts and hashes only, and the
 * redaction list below is a backstop for the usual FHIR PHI element names and credentials.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'name',
  '*.name',
  'birthDate',
  '*.birthDate',
  'identifier',
  '*.identifier',
  'address',
  '*.address',
  'telecom',
  '*.telecom',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'fhir-gateway' },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    options.destination ?? pino.destination(2),
  );
}
