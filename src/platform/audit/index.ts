export {
  ANCHOR_EVERY_MS,
  anchorPeriodically,
  anchorsFile,
  formatAnchor,
  parseAnchor,
  readAnchorsFile,
} from './anchor.ts';
export {
  type AnchorCheck,
  type AuditAnchor,
  type AuditEvent,
  type AuditLog,
  type AuditVerification,
  auditAnchorError,
  auditChainError,
  auditMigrations,
  createAuditLog,
  type RecordedAuditEvent,
} from './audit-log.ts';
export { eventHash, GENESIS_HASH } from './chain.ts';
export { AuditAnchorMismatch, type AuditBreak, AuditChainBroken } from './errors.ts';
