import pino from 'pino';
import type { AuditDestination } from './audit-log';

/**
 * Opens the audit stream named by `config.audit.destination`: `stdout`, or a file appended to
 * (its folder created). Never the app log's stream (stderr).
 */
export function openAuditDestination(target: string): AuditDestination {
  return target === 'stdout'
    ? pino.destination({ dest: 1, sync: false })
    : pino.destination({ dest: target, mkdir: true, sync: false });
}
