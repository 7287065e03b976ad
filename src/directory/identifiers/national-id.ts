import {
  checkAdeli,
  checkFiness,
  checkRpps,
  checkSiren,
  checkSiret,
  type IdentifierProblem,
} from './identifiers.ts';

/**
 * The national identifier of a professional (`Identification nationale PP`, idNat_PS): the one
 * printed on the CPS card and typed at login. `8` + RPPS or `0` + ADELI for persons; other
 * prefixes identify staff inside a structure.
 */
export type NationalIdKind =
  | 'RPPS'
  | 'ADELI'
  | 'CABINET_ADELI'
  | 'FINESS'
  | 'SIREN'
  | 'SIRET'
  | 'CABINET_RPPS';

export interface NationalId {
  readonly value: string;
  readonly kind: NationalIdKind;
  /** Type d'identifiant PP (TRE_G08): the prefix digit. */
  readonly typeCode: string;
  /** The register number after the prefix (RPPS or ADELI number for persons). */
  readonly number: string;
}

const KINDS: Record<string, NationalIdKind> = {
  '0': 'ADELI',
  '1': 'CABINET_ADELI',
  '3': 'FINESS',
  '4': 'SIREN',
  '5': 'SIRET',
  '6': 'CABINET_RPPS',
  '8': 'RPPS',
};

export type NationalIdResult = { ok: true; id: NationalId } | { ok: false; problem: string };

/** Parses and checks a national identifier. Surrounding spaces are tolerated, nothing else. */
export function parseNationalId(input: string): NationalIdResult {
  const value = input.trim();
  if (value === '') return { ok: false, problem: "l'identifiant national est vide" };
  const typeCode = value[0]!;
  const kind = KINDS[typeCode];
  if (!kind) return { ok: false, problem: `préfixe « ${typeCode} » inconnu (8 pour RPPS, 0 pour ADELI)` };
  const number = value.slice(1);
  let problem: IdentifierProblem = null;
  if (kind === 'RPPS') problem = checkRpps(number);
  else if (kind === 'ADELI') problem = checkAdeli(number);
  else if (kind === 'FINESS') problem = checkFiness(number.slice(0, 9));
  else if (kind === 'SIREN') problem = checkSiren(number.slice(0, 9));
  else if (kind === 'SIRET') problem = checkSiret(number.slice(0, 14));
  else if (!/^[0-9A-Za-z/]+$/.test(number)) problem = 'caractères inattendus';
  if (problem) return { ok: false, problem };
  return { ok: true, id: { value, kind, typeCode, number } };
}

/** True for the identifiers a person logs in with (RPPS- or ADELI-based). */
export function isPersonNationalId(id: NationalId): boolean {
  return id.kind === 'RPPS' || id.kind === 'ADELI';
}

/** The national identifier for a register number of the given type (`8` + RPPS, `0` + ADELI). */
export function nationalIdFor(typeCode: string, number: string): string {
  return `${typeCode}${number}`;
}
