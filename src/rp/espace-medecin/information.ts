import type { PersonalInformation } from './accounts.ts';

/** A problem with one field of a form: the page shows it next to the field and in the summary. */
export interface FieldProblem {
  field: string;
  message: string;
}

const field = (form: Record<string, unknown>, name: string) => {
  const value = form[name];
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * Checks the personal information of the creation form and of "Mon compte". E-mail, postcode
 * and city are required (the postcode is a French one: 5 digits).
 */
export function readInformation(form: Record<string, unknown>): {
  information: PersonalInformation;
  problems: FieldProblem[];
} {
  const information: PersonalInformation = {
    email: field(form, 'email').toLowerCase(),
    phone: field(form, 'telephone').replace(/[\s.-]/g, ''),
    address: field(form, 'adresse'),
    postcode: field(form, 'code_postal'),
    city: field(form, 'ville'),
  };
  const problems: FieldProblem[] = [];
  if (!information.email) problems.push({ field: 'email', message: "L'adresse e-mail est obligatoire." });
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(information.email) || information.email.length > 254)
    problems.push({
      field: 'email',
      message: "L'adresse e-mail n'est pas valide (exemple : nom@domaine.fr).",
    });
  if (information.phone && !/^(\+33|0)[1-9]\d{8}$/.test(information.phone))
    problems.push({
      field: 'telephone',
      message: 'Le téléphone doit avoir 10 chiffres (exemple : 01 23 45 67 89).',
    });
  if (information.address.length > 200)
    problems.push({ field: 'adresse', message: "L'adresse ne doit pas dépasser 200 caractères." });
  if (!information.postcode)
    problems.push({ field: 'code_postal', message: 'Le code postal est obligatoire.' });
  else if (!/^\d{5}$/.test(information.postcode))
    problems.push({ field: 'code_postal', message: 'Le code postal doit avoir 5 chiffres.' });
  if (!information.city) problems.push({ field: 'ville', message: 'La ville est obligatoire.' });
  else if (information.city.length > 100)
    problems.push({ field: 'ville', message: 'La ville ne doit pas dépasser 100 caractères.' });
  return { information, problems };
}
