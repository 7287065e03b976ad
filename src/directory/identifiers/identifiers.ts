import { luhnValid } from './luhn.ts';

/**
 * The identifier rules of the Annuaire Santé, in one place (EXTRACTS.md §3). Each check returns
 * `null` when the value is valid, or the reason in French.
 */
export type IdentifierProblem = string | null;

const LA_POSTE_SIREN = '356000000';

export function checkRpps(value: string): IdentifierProblem {
  if (!/^\d{11}$/.test(value)) return 'un numéro RPPS compte 11 chiffres';
  if (!luhnValid(value)) return 'clé de contrôle du numéro RPPS invalide';
  return null;
}

export function checkAdeli(value: string): IdentifierProblem {
  if (!/^\d{9}$/.test(value)) return 'un numéro ADELI compte 9 chiffres';
  if (!luhnValid(value)) return 'clé de contrôle du numéro ADELI invalide';
  return null;
}

export function checkFiness(value: string): IdentifierProblem {
  if (!/^[0-9][0-9AB][0-9]{7}$/.test(value))
    return 'un numéro FINESS compte 9 caractères, département en tête';
  // Corsican FINESS numbers (2A/2B) carry letters: the key cannot be checked on them.
  if (/^\d{9}$/.test(value) && !luhnValid(value)) return 'clé de contrôle du numéro FINESS invalide';
  return null;
}

export function checkSiren(value: string): IdentifierProblem {
  if (!/^\d{9}$/.test(value)) return 'un numéro SIREN compte 9 chiffres';
  if (!luhnValid(value)) return 'clé de contrôle du numéro SIREN invalide';
  return null;
}

export function checkSiret(value: string): IdentifierProblem {
  if (!/^\d{14}$/.test(value)) return 'un numéro SIRET compte 14 chiffres';
  // La Poste's establishments share one SIREN and are too many for Luhn keys: INSEE gave them
  // SIRETs whose digit sum is a multiple of 5 instead.
  if (value.startsWith(LA_POSTE_SIREN) && value !== `${LA_POSTE_SIREN}00048`) {
    const sum = [...value].reduce((total, digit) => total + Number(digit), 0);
    return sum % 5 === 0 ? null : 'clé de contrôle du numéro SIRET (La Poste) invalide';
  }
  if (!luhnValid(value)) return 'clé de contrôle du numéro SIRET invalide';
  return null;
}
