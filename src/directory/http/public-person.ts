import type { Person } from '../model/person.ts';

/**
 * What the unauthenticated directory API shows of a person: the public extract's content.
 * Correspondence e-mail and mobile, birth data and sex come from the restricted PSC extract and
 * are personal data: they stay with the services that need them (e-CPS activation).
 */
export type PublicPerson = Omit<Person, 'contact' | 'birthDate' | 'sexCode'> & {
  contact: { hasEmail: boolean; hasMobile: boolean };
};

export function publicPerson(person: Person): PublicPerson {
  const { contact, birthDate: _birthDate, sexCode: _sexCode, ...rest } = person;
  return { ...rest, contact: { hasEmail: contact.email !== null, hasMobile: contact.mobile !== null } };
}
