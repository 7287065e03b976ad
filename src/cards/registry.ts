import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCrl, type Hierarchy, x509 } from '../pki/index.ts';
import type { CardsDb, CardTable } from './store/tables.ts';

/**
 * The card registry (serial, holder, validity, status) and the CRLs derived from it. CRLs are
 * stored in the database so that every node publishes the same one, and written under
 * `<dataDir>/pki/crl/` for tools that read files.
 */
export class CardRegistry {
  readonly #db: CardsDb;
  readonly #hierarchy: Hierarchy;
  #crlCache: { number: number; serials: ReadonlySet<string> } | undefined;

  constructor(db: CardsDb, hierarchy: Hierarchy) {
    this.#db = db;
    this.#hierarchy = hierarchy;
  }

  async add(card: CardTable): Promise<void> {
    await this.#db.insertInto('card').values(card).execute();
  }

  async status(serial: string): Promise<'active' | 'revoked' | undefined> {
    const row = await this.#db
      .selectFrom('card')
      .select('status')
      .where('serial', '=', serial)
      .executeTakeFirst();
    return row?.status;
  }

  /** Cards by serial, or every card of a national identifier. */
  async find(reference: string): Promise<CardTable[]> {
    const normalized = reference.trim().toLowerCase();
    return this.#db
      .selectFrom('card')
      .selectAll()
      .where((eb) => eb.or([eb('serial', '=', normalized), eb('idnat', '=', reference.trim())]))
      .execute();
  }

  async list(idnat?: string): Promise<CardTable[]> {
    let query = this.#db.selectFrom('card').selectAll().orderBy('issued_at', 'desc');
    if (idnat) query = query.where('idnat', '=', idnat);
    return query.execute();
  }

  async markRevoked(serials: string[], at: string): Promise<void> {
    if (serials.length === 0) return;
    await this.#db
      .updateTable('card')
      .set({ status: 'revoked', revoked_at: at })
      .where('serial', 'in', serials)
      .execute();
  }

  /** Rebuilds and stores the CRL of the card CA from the registry (and the root's, once). */
  async publishCrls(now = new Date()): Promise<number> {
    const revoked = await this.#db
      .selectFrom('card')
      .select(['serial', 'revoked_at'])
      .where('status', '=', 'revoked')
      .execute();
    const current = await this.#db
      .selectFrom('card_crl')
      .select('crl_number')
      .where('authority', '=', 'persons')
      .executeTakeFirst();
    const number = (current?.crl_number ?? 0) + 1;
    const crl = await buildCrl(
      this.#hierarchy.persons,
      revoked.map((row) => ({ serial: row.serial, revokedAt: new Date(row.revoked_at ?? now) })),
      number,
      now,
    );
    await this.#store('persons', number, crl, now);
    const root = await this.#db
      .selectFrom('card_crl')
      .select('crl_number')
      .where('authority', '=', 'root')
      .executeTakeFirst();
    if (!root) await this.#store('root', 1, await buildCrl(this.#hierarchy.root, [], 1, now), now);
    return number;
  }

  async #store(authority: string, number: number, crl: x509.X509Crl, now: Date) {
    const der = Buffer.from(crl.rawData);
    const row = {
      authority,
      crl_number: number,
      der: der.toString('base64'),
      this_update: now.toISOString(),
    };
    await this.#db
      .insertInto('card_crl')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('authority')
          .doUpdateSet({ crl_number: number, der: row.der, this_update: row.this_update }),
      )
      .execute();
    const dir = path.join(this.#hierarchy.dir, 'crl');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${authority}-ca.crl`), der);
  }

  /** DER of the current CRL of `authority` (`persons` or `root`), publishing one if none yet. */
  async crl(authority: 'persons' | 'root'): Promise<Buffer> {
    let row = await this.#db
      .selectFrom('card_crl')
      .select('der')
      .where('authority', '=', authority)
      .executeTakeFirst();
    if (!row) {
      await this.publishCrls();
      row = await this.#db
        .selectFrom('card_crl')
        .select('der')
        .where('authority', '=', authority)
        .executeTakeFirstOrThrow();
    }
    return Buffer.from(row.der, 'base64');
  }

  /** Serials in the current CRL of the card CA; reparsed only when its number changes. */
  async crlSerials(): Promise<ReadonlySet<string>> {
    const row = await this.#db
      .selectFrom('card_crl')
      .select(['crl_number', 'der'])
      .where('authority', '=', 'persons')
      .executeTakeFirst();
    if (!row) return new Set();
    if (this.#crlCache?.number !== row.crl_number) {
      const crl = new x509.X509Crl(Buffer.from(row.der, 'base64'));
      this.#crlCache = {
        number: row.crl_number,
        serials: new Set(crl.entries.map((entry) => entry.serialNumber.toLowerCase())),
      };
    }
    return this.#crlCache.serials;
  }
}
