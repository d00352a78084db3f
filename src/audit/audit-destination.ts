import pino from 'pino';
import type { AuditDestination } from './audit-log';

/**
 * Opens the audit stream named by `config.audit.destination`: `stdout`, or a file appended to
 * (its folder created). Never the app log's stream (stderr). Writes are synchronous: a Lambda
 * container is frozen as soon as it answers, and an audit line buffered then may never land.
 */
export function openAuditDestination(target: string): AuditDestination {
  return target === 'stdout'
    ? pino.destination({ dest: 1, sync: true })
    : pino.destination({ dest: target, mkdir: true, sync: true });
}
