import type { SelectQueryBuilder } from 'kysely';
import { InvalidSearch } from '../errors.ts';
import { OWN_ID_TYPES, personView } from '../model/person.ts';
import { prefixUpperBound, searchKey } from '../model/search-key.ts';
import type { DirectoryDb, DirectoryTables } from '../store/tables.ts';
import { PERSON_VIEW_COLUMNS } from './show.ts';

export interface SearchQuery {
  /** Prefix of the nom d'exercice; a second word filters on the prénom prefix. */
  name?: string;
  /** Profession code (TRE_G15/R94/R95), e.g. `10`. */
  profession?: string;
  /** Savoir-faire code, e.g. `SM54`. */
  specialty?: string;
  /** Postcode, or its first digits (`75` for Paris). */
  postcode?: string;
  /** National identifier, RPPS or ADELI number, or a linked identifier. */
  id?: string;
  limit?: number;
  /** Include persons no longer in the extract. */
  includeInactive?: boolean;
}

export interface PersonSummary {
  nationalId: string;
  active: boolean;
  civiliteExercice: string | null;
  nomExercice: string;
  prenomExercice: string;
  professions: Array<{ code: string; label: string | null }>;
  specialties: Array<{ code: string; label: string | null }>;
  /** "75015 PARIS"-style places of the practice situations. */
  places: string[];
}

/**
 * Directory search. Names are matched by prefix on normalised keys (index range scans); the
 * other criteria go through the facet index. Results are ordered by name.
 */
export async function searchPersons(
  db: DirectoryDb,
  query: SearchQuery,
  maxLimit: number,
): Promise<PersonSummary[]> {
  const words = searchKey(query.name ?? '')
    .split(' ')
    .filter(Boolean);
  const criteria = [words.length > 0, query.profession, query.specialty, query.postcode, query.id].filter(
    Boolean,
  ).length;
  if (criteria === 0) throw InvalidSearch({ reason: 'aucun critère' });
  if (words.length > 0 && words[0]!.length < 2)
    throw InvalidSearch({ reason: 'le nom doit compter au moins 2 lettres' });
  if (query.postcode !== undefined && !/^\d[0-9AB]\d{0,3}$/.test(query.postcode)) {
    throw InvalidSearch({ reason: `code postal « ${query.postcode} » invalide` });
  }
  const limit = Math.min(Math.max(1, query.limit ?? 20), maxLimit);

  let select = db
    .selectFrom('directory_person')
    .select(PERSON_VIEW_COLUMNS)
    .orderBy('family_key')
    .orderBy('given_key')
    .orderBy('idnat')
    .limit(limit);
  select = query.includeInactive ? select : select.where('active', '=', 1);
  if (words.length > 0) {
    const family = words[0]!;
    select = select.where('family_key', '>=', family).where('family_key', '<', prefixUpperBound(family));
    const given = words.slice(1).join(' ');
    if (given)
      select = select.where('given_key', '>=', given).where('given_key', '<', prefixUpperBound(given));
  }
  const facet = (kind: string, value: string, prefix = false) => {
    const matching = <QB extends SelectQueryBuilder<DirectoryTables, 'directory_facet', any>>(qb: QB) =>
      prefix
        ? qb
            .where('directory_facet.value', '>=', value)
            .where('directory_facet.value', '<', prefixUpperBound(value))
        : qb.where('directory_facet.value', '=', value);
    // With a name, the name index yields candidates in result order: checking each one against
    // the facet index stops at `limit`. Without one, the facet's persons are the candidates.
    if (words.length > 0) {
      select = select.where((eb) =>
        eb.exists(
          matching(
            eb
              .selectFrom('directory_facet')
              .select('directory_facet.idnat')
              .where('directory_facet.kind', '=', kind)
              .whereRef('directory_facet.idnat', '=', 'directory_person.idnat'),
          ),
        ),
      );
    } else {
      select = select.where(
        'idnat',
        'in',
        matching(db.selectFrom('directory_facet').select('directory_facet.idnat').where('kind', '=', kind)),
      );
    }
  };
  if (query.profession) facet('profession', query.profession);
  if (query.specialty) facet('specialty', query.specialty);
  if (query.postcode) facet('postcode', query.postcode, query.postcode.length < 5);
  if (query.id) {
    const id = query.id.trim();
    // A person's own identifier, or its number with the type digit in front, is its key; the
    // facets hold the other identifiers (facetsOf).
    const own = db
      .selectFrom('directory_person as own')
      .select('own.idnat')
      .where('own.idnat', 'in', [id, ...OWN_ID_TYPES.map((type) => `${type}${id}`)])
      .where((eb) => eb.or([eb('own.idnat', '=', id), eb('own.id_pp', '=', id)]));
    const linked = db
      .selectFrom('directory_facet')
      .select('directory_facet.idnat')
      .where('kind', '=', 'id')
      .where('value', '=', id);
    select = select.where('idnat', 'in', own.unionAll(linked));
  }

  const rows = await select.execute();
  return rows.map((row) => {
    const person = personView(row, { email: null, mobile: null, pending: [] });
    const first = person.exercices[0];
    return {
      nationalId: person.nationalId,
      active: person.active,
      civiliteExercice: first?.civiliteExercice?.code ?? null,
      nomExercice: first?.nomExercice ?? person.familyName,
      prenomExercice: first?.prenomExercice ?? person.givenNames[0] ?? '',
      professions: person.exercices.map((e) => ({ code: e.profession.code, label: e.profession.label })),
      specialties: person.exercices.flatMap((e) =>
        e.savoirFaire.map((sf) => ({ code: sf.code, label: sf.label })),
      ),
      places: [
        ...new Set(
          person.exercices.flatMap((e) =>
            e.activities.flatMap((a) =>
              a.structure
                ? [
                    a.structure.bureauCedex ||
                      `${a.structure.codePostal} ${a.structure.libelleCommune}`.trim(),
                  ]
                : [],
            ),
          ),
        ),
      ].filter(Boolean),
    };
  });
}
