export {
  type AuditEvent,
  type AuditLog,
  type AuditVerification,
  auditChainError,
  auditMigrations,
  createAuditLog,
  type RecordedAuditEvent,
} from './audit-log.ts';
export { eventHash, GENESIS_HASH } from './chain.ts';
export { type AuditBreak, AuditChainBroken } from './errors.ts';
