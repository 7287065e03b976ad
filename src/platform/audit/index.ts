export { type AuditEvent, type AuditLog, auditMigrations, createAuditLog } from './audit-log.ts';
