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

export const AuditAnchorMismatch = defineError<{
  seq: number;
  /** The hash noted in the anchor. */
  expected: string;
  /** The hash the event at that position has now; null when there is none. */
  found: string | null;
  /** Events the log holds now. */
  events: number;
}>(
  'AUDIT_ANCHOR_MISMATCH',
  409,
  (p) =>
    p.found === null
      ? `Journal d'audit réécrit : l'ancre ${p.seq}:${p.expected} nomme l'événement n° ${p.seq}, mais le journal n'en compte plus que ${p.events}.`
      : `Journal d'audit réécrit : l'événement n° ${p.seq} n'a plus l'empreinte notée dans l'ancre (${p.expected}, trouvé ${p.found}).`,
  () =>
    "La chaîne a été recalculée depuis cet événement ou avant : quelqu'un a écrit directement dans la base. Gardez une copie de la base en l'état et recherchez l'accès en cause.",
);
