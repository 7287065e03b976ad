import type { Directory, Person } from '../../directory/index.ts';
import type { x509 } from '../../pki/index.ts';
import type { CardHolder } from '../card-subject.ts';

/** What one card check knows as it goes through the steps. */
export interface CardCheck {
  /** DER of the certificate the client presented in the TLS handshake (or forwarded by the proxy). */
  presented: Uint8Array | undefined;
  now: Date;
  certificate?: x509.X509Certificate;
  holder?: CardHolder;
  person?: Person;
}

/** What the steps consult. */
export interface CardCheckDeps {
  personsCa: x509.X509Certificate;
  /** Registry status of a serial (`undefined` when the card was never registered). */
  registryStatus(serial: string): Promise<'active' | 'revoked' | undefined>;
  /** Serials listed in the current CRL of the card CA. */
  crlSerials(): Promise<ReadonlySet<string>>;
  directory: Pick<Directory, 'find'>;
  idnatAttribute: string;
}

export type CardCheckStep = (check: CardCheck, deps: CardCheckDeps) => Promise<void>;

/** A card that passed every check: who holds it. */
export interface CardIdentity {
  idnat: string;
  serial: string;
  notAfter: string;
  holder: CardHolder;
  person: Person;
}
