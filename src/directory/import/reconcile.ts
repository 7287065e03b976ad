import { createHash } from 'node:crypto';
import type { ExtractKind } from '../extract/index.ts';
import { PERSON_KINDS } from '../extract/index.ts';
import { facetsOf, searchNamesOf } from '../model/person.ts';
import { searchKey } from '../model/search-key.ts';
import type { PersonSections } from '../model/sections.ts';
import type { DirectoryDb, DirectoryPersonTable } from '../store/tables.ts';
import { assembleSections, type StagedRow } from './assemble.ts';

const PAGE = 1000;

export interface ReconcileCounts {
  listed: number;
  created: number;
  changed: number;
  reactivated: number;
  unchanged: number;
}

interface Existing {
  idnat: string;
  hash: string;
  active: number;
  email: string | null;
  mobile: string | null;
  contact_at: string | null;
  sections?: string;
}

/**
 * Walks the staged snapshot person by person (pages of identifiers in order), builds each
 * person's sections, and writes only what differs from the stored directory.
 */
export async function reconcile(
  trx: DirectoryDb,
  importedKinds: ReadonlySet<ExtractKind>,
  now: string,
  report: { warning(message: string): void; persons(done: number): void },
): Promise<ReconcileCounts> {
  const counts: ReconcileCounts = { listed: 0, created: 0, changed: 0, reactivated: 0, unchanged: 0 };
  const needPrevious = importedKinds.size < 4;
  let after = '';
  for (;;) {
    const ids = (
      await trx
        .selectFrom('directory_import_line')
        .select('idnat')
        .distinct()
        .where('idnat', '>', after)
        .orderBy('idnat')
        .limit(PAGE)
        .execute()
    ).map((row) => row.idnat);
    if (ids.length === 0) break;
    after = ids.at(-1)!;
    const [lines, existingRows] = await Promise.all([
      trx
        .selectFrom('directory_import_line')
        .select(['idnat', 'kind', 'payload'])
        .where('idnat', '>=', ids[0]!)
        .where('idnat', '<=', after)
        .orderBy('idnat')
        .orderBy('kind')
        .orderBy('seq')
        .execute(),
      trx
        .selectFrom('directory_person')
        .select(['idnat', 'hash', 'active', 'email', 'mobile', 'contact_at'])
        .$if(needPrevious, (qb) => qb.select('sections'))
        .where('idnat', 'in', ids)
        .execute() as Promise<Existing[]>,
    ]);
    const existing = new Map(existingRows.map((row) => [row.idnat, row]));
    const grouped = new Map<string, StagedRow[]>();
    for (const line of lines) {
      let rows = grouped.get(line.idnat);
      if (!rows) {
        rows = [];
        grouped.set(line.idnat, rows);
      }
      rows.push({ kind: line.kind as ExtractKind, values: JSON.parse(line.payload) as string[] });
    }

    const inserts: DirectoryPersonTable[] = [];
    const facetOwners: string[] = [];
    const facets: Array<{ idnat: string; kind: string; value: string }> = [];
    for (const [idnat, rows] of grouped) {
      if (!rows.some((row) => PERSON_KINDS.includes(row.kind))) {
        report.warning(
          `${idnat} : présent dans ${[...new Set(rows.map((r) => r.kind))].join(', ')} mais dans aucun fichier de personnes, ignoré`,
        );
        continue;
      }
      counts.listed++;
      const previous = existing.get(idnat);
      const previousSections = previous?.sections
        ? (JSON.parse(previous.sections) as PersonSections)
        : undefined;
      const sections = assembleSections(rows, importedKinds, previousSections);
      const json = JSON.stringify(sections);
      const hash = createHash('sha256').update(json).digest('base64url');
      if (previous && previous.hash === hash) {
        if (previous.active === 1) counts.unchanged++;
        else {
          counts.reactivated++;
          await trx
            .updateTable('directory_person')
            .set({ active: 1, inactivated_at: null, updated_at: now })
            .where('idnat', '=', idnat)
            .execute();
        }
        continue;
      }
      const identity = sections.activite ?? sections.psc!;
      const names = searchNamesOf(sections);
      const contact = importedKinds.has('psc')
        ? { email: sections.psc?.email || null, mobile: sections.psc?.mobile || null }
        : { email: previous?.email ?? null, mobile: previous?.mobile ?? null };
      const contactChanged =
        !previous || previous.email !== contact.email || previous.mobile !== contact.mobile;
      const row = {
        id_type: identity.idType,
        id_pp: identity.idPP,
        active: 1,
        family_key: searchKey(names.family),
        given_key: searchKey(names.given),
        sections: json,
        hash,
        email: contact.email,
        mobile: contact.mobile,
        contact_at: contactChanged
          ? contact.email || contact.mobile
            ? now
            : null
          : (previous?.contact_at ?? null),
        updated_at: now,
        inactivated_at: null,
      };
      if (previous) {
        if (previous.active === 1) counts.changed++;
        else counts.reactivated++;
        await trx.updateTable('directory_person').set(row).where('idnat', '=', idnat).execute();
        facetOwners.push(idnat);
      } else {
        counts.created++;
        inserts.push({ idnat, created_at: now, ...row });
      }
      for (const facet of facetsOf(idnat, identity.idPP, sections)) facets.push({ idnat, ...facet });
    }
    // Batches keep each statement under SQLite's and PostgreSQL's bound-parameter limits.
    for (const batch of batches(inserts, 500))
      await trx.insertInto('directory_person').values(batch).execute();
    for (const batch of batches(facetOwners, 1000))
      await trx.deleteFrom('directory_facet').where('idnat', 'in', batch).execute();
    for (const batch of batches(facets, 2000))
      await trx.insertInto('directory_facet').values(batch).execute();
    report.persons(counts.listed);
  }
  return counts;
}

/**
 * Splits rows for multi-row statements: full batches of `size`, then the rest in powers of two.
 * The SQLite store caches prepared statements by their text; one statement per possible
 * remainder would fill that cache with large single-use programs (about 0.3 MB per 1 000 rows).
 */
export function* batches<T>(items: T[], size: number): Generator<T[]> {
  let start = 0;
  for (; items.length - start >= size; start += size) yield items.slice(start, start + size);
  for (let step = 2 ** Math.floor(Math.log2(size)); step >= 1; step /= 2) {
    if (items.length - start >= step) {
      yield items.slice(start, start + step);
      start += step;
    }
  }
}
