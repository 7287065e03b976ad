import { effectiveContact } from '../contact/contact.ts';
import { PersonNotFound } from '../errors.ts';
import { type Person, personView } from '../model/person.ts';
import type { DirectoryDb } from '../store/tables.ts';

/** The stored columns a `Person` view is built from (searches list persons from the same). */
export const PERSON_VIEW_COLUMNS = [
  'idnat',
  'id_type',
  'id_pp',
  'active',
  'activite',
  'savoir_faire',
  'diplomes',
  'psc',
  'updated_at',
  'inactivated_at',
] as const;

const MAX_IDNAT_LENGTH = 64;

/** The person behind a national identifier, active or not; undefined when unknown. */
export async function findPerson(db: DirectoryDb, idnat: string, now: Date): Promise<Person | undefined> {
  // No identifier of the extracts is this long or holds control characters (which PostgreSQL
  // would refuse in a query): no such person, without asking the store.
  if (idnat.length > MAX_IDNAT_LENGTH || /\p{Cc}/u.test(idnat)) return undefined;
  const [row, changes] = await Promise.all([
    db
      .selectFrom('directory_person')
      .select([...PERSON_VIEW_COLUMNS, 'email', 'mobile', 'contact_at'])
      .where('idnat', '=', idnat)
      .executeTakeFirst(),
    db
      .selectFrom('directory_contact_change')
      .select(['email', 'mobile', 'effective_at'])
      .where('idnat', '=', idnat)
      .execute(),
  ]);
  if (!row) return undefined;
  return personView(row, effectiveContact(row, changes, now));
}

export async function getPerson(db: DirectoryDb, idnat: string, now: Date): Promise<Person> {
  const person = await findPerson(db, idnat, now);
  if (!person) throw PersonNotFound({ idnat });
  return person;
}
