import { randomUUID } from 'node:crypto';
import { InvalidContact } from '../errors.ts';
import type { Contact } from '../model/person.ts';
import type { DirectoryContactChangeTable, DirectoryDb } from '../store/tables.ts';

/**
 * Correspondence e-mail and mobile. The extract's value applies at import time; a change made
 * through the registration authority (`caducee directory set-contact`) takes effect after a
 * delay (48 h by default, as announced to professionals) and the old value stays in force
 * until then. The newest value in force wins, field by field.
 */
export function effectiveContact(
  extract: { email: string | null; mobile: string | null; contact_at: string | null },
  changes: Array<Pick<DirectoryContactChangeTable, 'email' | 'mobile' | 'effective_at'>>,
  now: Date,
): Contact {
  const at = now.toISOString();
  const inForce = changes.filter((change) => change.effective_at <= at);
  const latest = (field: 'email' | 'mobile') => {
    let value = extract[field];
    let since = extract.contact_at ?? '';
    for (const change of inForce) {
      const changed = change[field];
      if (changed !== null && change.effective_at >= since) {
        value = changed === '' ? null : changed;
        since = change.effective_at;
      }
    }
    return value;
  };
  return {
    email: latest('email'),
    mobile: latest('mobile'),
    pending: changes
      .filter((change) => change.effective_at > at)
      .sort((a, b) => a.effective_at.localeCompare(b.effective_at))
      .map((change) => ({ email: change.email, mobile: change.mobile, effectiveAt: change.effective_at })),
  };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// French mobiles: 06/07, +33 6/7 or 0033 6/7, spaces and dots tolerated.
const MOBILE = /^(?:0|\+33|0033)[67]\d{8}$/;

export function normalizeMobile(value: string): string {
  return value.replace(/[\s.-]/g, '');
}

export function checkContactValue(field: 'email' | 'mobile', value: string): void {
  if (value === '') return;
  if (field === 'email' && !EMAIL.test(value)) {
    throw InvalidContact({ field: 'Adresse e-mail', value, reason: 'format attendu : nom@domaine.fr' });
  }
  if (field === 'mobile' && !MOBILE.test(normalizeMobile(value))) {
    throw InvalidContact({
      field: 'Téléphone mobile',
      value,
      reason: 'numéro de mobile français attendu (06…, 07…, +33 6…)',
    });
  }
}

export interface ContactChangeRequest {
  idnat: string;
  /** Undefined leaves the field as it is; '' removes it. */
  email?: string;
  mobile?: string;
  requestedBy: string;
}

export async function recordContactChange(
  db: DirectoryDb,
  request: ContactChangeRequest,
  now: Date,
  delayHours: number,
): Promise<{ id: string; effectiveAt: string }> {
  if (request.email === undefined && request.mobile === undefined) {
    throw InvalidContact({
      field: 'Changement',
      value: '',
      reason: 'donnez une adresse e-mail, un mobile, ou les deux',
    });
  }
  if (request.email !== undefined) checkContactValue('email', request.email);
  if (request.mobile !== undefined) checkContactValue('mobile', request.mobile);
  const effectiveAt = new Date(now.getTime() + delayHours * 3_600_000).toISOString();
  const id = randomUUID();
  await db
    .insertInto('directory_contact_change')
    .values({
      id,
      idnat: request.idnat,
      email: request.email ?? null,
      mobile: request.mobile === undefined ? null : normalizeMobile(request.mobile),
      requested_at: now.toISOString(),
      effective_at: effectiveAt,
      requested_by: request.requestedBy,
    })
    .execute();
  return { id, effectiveAt };
}
