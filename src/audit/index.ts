export { openAuditDestination } from './audit-destination';
export {
  type AuditDestination,
  type AuditEvent,
  type AuditLog,
  type AuditLogOptions,
  createAuditLog,
} from './audit-log';
export { type AuditDetails, type AuditMiddlewareOptions, auditMiddleware } from './audit-middleware';
