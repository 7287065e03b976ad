import { defineError } from '../errors/index.ts';

/** Why the chain breaks at an event (see AuditLog.verify). */
export type AuditBreak = 'changed' | 'removed' | 'reordered' | 'inserted';

export const AuditChainBroken = defineError<{
  /** The first event where the chain no longer holds. */
  id: string;
  seq: number | null;
  problem: AuditBreak;
  reason: string;
  /** Events checked before it. */
  verified: number;
}>(
  'AUDIT_CHAIN_BROKEN',
  409,
  (p) =>
    `Journal d'audit altéré à l'événement ${p.id}${p.seq === null ? '' : ` (n° ${p.seq})`} : ${p.reason}.`,
  () =>
    "Le journal n'est jamais modifié par Caducée : quelqu'un a écrit directement dans la base. Gardez une copie de la base en l'état et recherchez l'accès en cause.",
);
