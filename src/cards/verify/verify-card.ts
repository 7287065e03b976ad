import type { CardCheck, CardCheckDeps, CardCheckStep, CardIdentity } from './context.ts';
import { holder } from './holder.ts';
import { issuer } from './issuer.ts';
import { presented } from './presented.ts';
import { revocation } from './revocation.ts';
import { usage } from './usage.ts';
import { validity } from './validity.ts';

/** The checks a card goes through, in order; the first that fails says why the card is refused. */
export const CARD_CHECKS: CardCheckStep[] = [presented, issuer, validity, usage, revocation, holder];

export async function verifyCard(
  presentedDer: Uint8Array | undefined,
  deps: CardCheckDeps,
  now = new Date(),
): Promise<CardIdentity> {
  const check: CardCheck = { presented: presentedDer, now };
  for (const step of CARD_CHECKS) await step(check, deps);
  return {
    idnat: check.holder!.idnat,
    serial: check.certificate!.serialNumber.toLowerCase(),
    notAfter: check.certificate!.notAfter.toISOString(),
    holder: check.holder!,
    person: check.person!,
  };
}
