import type { Context } from 'hono';
import { parseNationalId } from '../../directory/index.ts';
import { limitedAddress } from '../../platform/index.ts';
import type { Account } from './accounts.ts';
import {
  type Limit,
  MAILS_PER_ADDRESS,
  MAILS_PER_IDENTIFIER,
  PASSWORD_PER_ADDRESS,
  PASSWORD_PER_IDENTIFIER,
} from './attempts.ts';
import type { EspaceMedecin } from './context.ts';
import { EmailLoginRefused } from './errors.ts';
import { checkPassword } from './passwords.ts';

/**
 * The first step of the e-mail way (and of proving a second account): identifier + password.
 * An unknown identifier, a malformed one and a wrong password get the same answer after the
 * same work, and count against the same limits, so nothing tells who has an account.
 */
export async function checkCredentials(
  em: EspaceMedecin,
  c: Context,
  input: { identifier: string; password: string; purpose: 'login' | 'link' },
): Promise<Account> {
  const ip = em.clientAddress(c);
  const parsed = parseNationalId(input.identifier);
  const key = parsed.ok ? parsed.id.value : input.identifier.slice(0, 20);
  const network = limitedAddress(ip);
  // Both attempts are taken before the password is checked, and kept if it is wrong.
  const fromAddress = await takeBoth(em, [PASSWORD_PER_IDENTIFIER, key], [PASSWORD_PER_ADDRESS, network]);
  const account = parsed.ok ? await em.accounts.byIdnat(parsed.id.value) : undefined;
  if (!(await checkPassword(account?.password_hash, input.password))) {
    await em.audit.record({
      type: input.purpose === 'login' ? 'espace_medecin.login' : 'espace_medecin.link',
      outcome: 'failure',
      actor: parsed.ok ? parsed.id.value : null,
      method: 'password',
      ip,
      details: { reason: account ? 'wrong_password' : 'no_account' },
    });
    throw EmailLoginRefused({});
  }
  // A right password forgets the identifier's failures, and is no failure of the address.
  await em.attempts.clear(PASSWORD_PER_IDENTIFIER, key);
  await em.attempts.release(fromAddress);
  return account!;
}

/** Before sending an e-mail (code, reset link): no mail bombing of a professional. */
export async function countMail(em: EspaceMedecin, c: Context, identifier: string): Promise<void> {
  const network = limitedAddress(em.clientAddress(c));
  await takeBoth(em, [MAILS_PER_IDENTIFIER, identifier], [MAILS_PER_ADDRESS, network]);
}

/**
 * One attempt of each limit, or none: refused by the second, the first is given back. Returns
 * the second's attempt.
 */
async function takeBoth(em: EspaceMedecin, first: [Limit, string], second: [Limit, string]) {
  const taken = await em.attempts.take(...first);
  try {
    return await em.attempts.take(...second);
  } catch (error) {
    await em.attempts.release(taken);
    throw error;
  }
}
