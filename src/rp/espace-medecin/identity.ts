import { nomenclatures } from '../../directory/index.ts';

/**
 * What the espace médecin learns of a professional at a provider login, read from the PSC
 * claims: the national identifier (`preferred_username`), the names, and the first profession
 * of `SubjectRefPro` with its specialty. Labels come from ANS's public reference tables (TRE),
 * as any PSC relying party would resolve the codes; the directory itself is never read.
 */
export interface ProfessionalIdentity {
  idnat: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  professionLabel: string;
  specialtyCode: string;
  specialtyLabel: string;
}

interface Exercice {
  codeProfession?: unknown;
  codeTypeSavoirFaire?: unknown;
  codeSavoirFaire?: unknown;
  nomDexercice?: unknown;
  prenomDexercice?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** Undefined when the claims carry no national identifier (not a PSC userinfo). */
export function identityFromClaims(claims: Record<string, unknown>): ProfessionalIdentity | undefined {
  const idnat = text(claims.preferred_username) || text(claims.SubjectNameID);
  if (!idnat) return undefined;
  const refPro = claims.SubjectRefPro as { exercices?: Exercice[] } | undefined;
  const exercice = refPro?.exercices?.[0] ?? {};
  const professionCode = text(exercice.codeProfession);
  const specialtyType = text(exercice.codeTypeSavoirFaire);
  const specialtyCode = text(exercice.codeSavoirFaire);
  return {
    idnat,
    familyName: text(claims.family_name) || text(exercice.nomDexercice),
    givenName: text(claims.given_name) || text(exercice.prenomDexercice),
    professionCode,
    professionLabel: professionCode ? (nomenclatures.profession(professionCode).label ?? professionCode) : '',
    specialtyCode,
    specialtyLabel: specialtyCode
      ? (nomenclatures.savoirFaire(specialtyType, specialtyCode).label ?? specialtyCode)
      : '',
  };
}

/** Names compared as a person would: case, accents and punctuation aside. */
export function samePerson(
  a: { familyName: string; givenName: string },
  b: { familyName: string; givenName: string },
): boolean {
  const fold = (value: string) =>
    value
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/[^\p{L}]/gu, '')
      .toLowerCase();
  return fold(a.familyName) === fold(b.familyName) && fold(a.givenName) === fold(b.givenName);
}
