import { readCardHolder } from '../card-subject.ts';
import { CardUnknownPerson, CardUnreadableSubject } from '../errors.ts';
import type { CardCheckStep } from './context.ts';

/** The subject names an active person of the directory. */
export const holder: CardCheckStep = async (check, deps) => {
  const certificate = check.certificate!;
  const found = readCardHolder(certificate.subjectName, deps.idnatAttribute);
  if (!found) throw CardUnreadableSubject({ subject: certificate.subject });
  check.holder = found;
  const person = await deps.directory.find(found.idnat);
  if (!person?.active) throw CardUnknownPerson({ idnat: found.idnat });
  check.person = person;
};
