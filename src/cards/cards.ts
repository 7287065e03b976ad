import path from 'node:path';
import type { Directory } from '../directory/index.ts';
import type { Hierarchy } from '../pki/index.ts';
import type { AuditLog, Settings, Store } from '../platform/index.ts';
import { CardAssertions } from './assertion.ts';
import { CardHolderInactive, CardNotFound } from './errors.ts';
import { type IssuedCard, issueCard } from './issue-card.ts';
import { CardRegistry } from './registry.ts';
import type { CardsDb, CardTable } from './store/tables.ts';
import type { CardIdentity } from './verify/context.ts';
import { verifyCard } from './verify/verify-card.ts';

export type CardRecord = Omit<CardTable, 'certificate'>;

export type RevokedListener = (cards: CardRecord[], context: { actor: string }) => Promise<void>;

/** CPS cards: issuance, opposition, CRL, and the checks a presented card goes through. */
export interface Cards {
  issue(
    idnat: string,
    options?: { pin?: string; validDays?: number; out?: string; actor?: string },
  ): Promise<IssuedCard>;
  /**
   * Opposition of one card (serial) or of every active card of a person (national identifier).
   * Once it is recorded and the CRL published, the `onRevoked` listeners run; the first that
   * fails fails the revoke, the opposition staying in force.
   */
  revoke(reference: string, options?: { actor?: string }): Promise<CardRecord[]>;
  /**
   * What else an opposition must do, beyond this domain: the System ends the holders' provider
   * sessions.
   */
  onRevoked(listener: RevokedListener): void;
  list(idnat?: string): Promise<CardRecord[]>;
  crl(authority: 'persons' | 'root'): Promise<Buffer>;
  /** The certificate a client presented (DER), checked; throws the reason it is refused. */
  verify(presented: Uint8Array | undefined, now?: Date): Promise<CardIdentity>;
  assertions: CardAssertions;
  /** Where card files go by default. */
  cardsDir: string;
  hierarchy: Hierarchy;
}

export function crlUrl(settings: Pick<Settings, 'cardHost'>, authority: 'persons' | 'root'): string {
  return `${settings.cardHost.url.replace(/\/$/, '')}/crl/${authority}-ca.crl`;
}

export function createCards(options: {
  store: Store;
  directory: Directory;
  settings: Settings;
  hierarchy: Hierarchy;
  audit: AuditLog;
  clock?: () => Date;
}): Cards {
  const { settings, hierarchy, directory, audit } = options;
  const clock = options.clock ?? (() => new Date());
  const db = options.store.db as CardsDb;
  const registry = new CardRegistry(db, hierarchy);
  const cardsDir = path.join(settings.dataDir, 'cards');
  const strip = ({ certificate: _certificate, ...record }: CardTable): CardRecord => record;
  const revokedListeners: RevokedListener[] = [];
  return {
    cardsDir,
    hierarchy,
    assertions: new CardAssertions(db, {
      issuer: settings.cardHost.url,
      audience: settings.idp.url,
      ttlSeconds: settings.cardHost.assertionTtlSeconds,
      clock,
    }),
    async issue(idnat, issueOptions = {}) {
      const person = await directory.get(idnat);
      if (!person.active) throw CardHolderInactive({ idnat: person.nationalId });
      const card = await issueCard({
        person,
        hierarchy,
        crlUrl: crlUrl(settings, 'persons'),
        pin: issueOptions.pin,
        validDays: issueOptions.validDays ?? settings.cards.validityDays,
        out: issueOptions.out ?? path.join(cardsDir, `${person.nationalId}.p12`),
        now: clock(),
      });
      await registry.add({
        serial: card.serial,
        idnat: card.idnat,
        subject: card.subject,
        not_before: card.notBefore,
        not_after: card.notAfter,
        status: 'active',
        revoked_at: null,
        issued_at: clock().toISOString(),
        certificate: card.certificatePem,
      });
      await audit.record({
        type: 'card.issue',
        outcome: 'success',
        actor: issueOptions.actor ?? 'cli',
        subject: card.serial,
        details: { idnat },
      });
      return card;
    },
    async revoke(reference, revokeOptions = {}) {
      const cards = (await registry.find(reference)).filter((card) => card.status === 'active');
      if (cards.length === 0) throw CardNotFound({ reference });
      const at = clock().toISOString();
      const actor = revokeOptions.actor ?? 'cli';
      await registry.markRevoked(
        cards.map((card) => card.serial),
        at,
      );
      await registry.publishCrls(clock());
      for (const card of cards) {
        await audit.record({
          type: 'card.revoke',
          outcome: 'success',
          actor,
          subject: card.serial,
          details: { idnat: card.idnat },
        });
      }
      const revoked = cards.map((card) => ({ ...strip(card), status: 'revoked' as const, revoked_at: at }));
      for (const listener of revokedListeners) await listener(revoked, { actor });
      return revoked;
    },
    onRevoked(listener) {
      revokedListeners.push(listener);
    },
    async list(idnat) {
      return (await registry.list(idnat)).map(strip);
    },
    crl: (authority) => registry.crl(authority),
    verify: (presented, now = clock()) =>
      verifyCard(
        presented,
        {
          personsCa: hierarchy.persons.certificate,
          registryStatus: (serial) => registry.status(serial),
          crlSerials: () => registry.crlSerials(),
          directory,
          idnatAttribute: settings.cards.idnatAttribute,
        },
        now,
      ),
  };
}
