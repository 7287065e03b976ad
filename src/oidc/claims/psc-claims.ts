import type { Exercice, Person } from '../../directory/index.ts';
import { type PscActivity, pscActivity } from './psc-activity.ts';

/**
 * The claims of Pro Santé Connect's userinfo (PSC.md, "Userinfo (scope `scope_all`)"), built from
 * the directory so that relying parties written for PSC read them unchanged: same keys, same
 * order, `""` rather than absent values.
 */
export interface PscUserinfo {
  sub: string;
  preferred_username: string;
  SubjectNameID: string;
  given_name: string;
  family_name: string;
  codeCivilite: string;
  SubjectRole: string[];
  SubjectOrganization: string;
  SubjectOrganizationID: string;
  Secteur_Activite: string;
  codeGenreActivite: string;
  Mode_Acces_Raison: string;
  Acces_Regulation_Medicale: string;
  Palier_Authentification: string;
  PSI_Locale: string;
  UITVersion: string;
  otherIds: PscOtherId[];
  SubjectRefPro: { codeCivilite: string; exercices: PscExercice[] };
  authMode?: string;
}

export interface PscOtherId {
  identifiant: string;
  origine: string;
  qualite: number;
}

export interface PscExercice {
  codeProfession: string;
  codeCategorieProfessionnelle: string;
  codeCiviliteDexercice: string;
  nomDexercice: string;
  prenomDexercice: string;
  codeTypeSavoirFaire: string;
  codeSavoirFaire: string;
  activities: PscActivity[];
}

export type { PscActivity } from './psc-activity.ts';

export interface PscUserinfoOptions {
  /** The `<uuid>` of `f:<uuid>:<national id>`, fixed per deployment so that `sub` never changes. */
  deploymentId: string;
  /** PSC's recent `authMode` claim (`CARD`, `ECPS`); left out when not given. */
  authMode?: string;
}

export const PSC_PROFILE_CLAIMS: string[] = ['given_name', 'family_name', 'preferred_username'];

export const PSC_SCOPE_ALL_CLAIMS: string[] = [
  'preferred_username',
  'SubjectNameID',
  'given_name',
  'family_name',
  'codeCivilite',
  'SubjectRole',
  'SubjectOrganization',
  'SubjectOrganizationID',
  'Secteur_Activite',
  'codeGenreActivite',
  'Mode_Acces_Raison',
  'Acces_Regulation_Medicale',
  'Palier_Authentification',
  'PSI_Locale',
  'UITVersion',
  'otherIds',
  'SubjectRefPro',
  'authMode',
] satisfies Array<Exclude<keyof PscUserinfo, 'sub'>>;

// PSC's fixed OID of TRE_R02-SecteurActivite, written as PSC writes it whatever table we load.
const SECTEUR_ACTIVITE_OID = '1.2.250.1.71.4.2.4';

const ORIGINE_BY_ID_TYPE: Record<string, string> = { '8': 'RPPS', '0': 'ADELI' };

/** Keycloak's federated-user form, which relying parties may store as the account key. */
export function pscSubject(deploymentId: string, nationalId: string): string {
  return `f:${deploymentId}:${nationalId}`;
}

/** The national identifier of a `pscSubject`; undefined for any other form. */
export function nationalIdFromSubject(sub: string): string | undefined {
  return /^f:.+:([^:]+)$/.exec(sub)?.[1];
}

function otherIds(person: Person): PscOtherId[] {
  const own = person.otherIds.find((other) => other.id === person.nationalId);
  const first: PscOtherId = {
    identifiant: person.nationalId,
    origine: ORIGINE_BY_ID_TYPE[person.idType] ?? own?.type ?? person.idType,
    qualite: 1,
  };
  const seen = new Set([person.nationalId]);
  const linked: PscOtherId[] = [];
  for (const other of person.otherIds) {
    if (seen.has(other.id)) continue;
    seen.add(other.id);
    // The extract's flag is read as PSC's qualite (both 1 in every sample seen); empty means 1.
    const qualite = Number.parseInt(other.flag, 10);
    linked.push({ identifiant: other.id, origine: other.type, qualite: Number.isNaN(qualite) ? 1 : qualite });
  }
  return [first, ...linked];
}

function exercice(entry: Exercice): PscExercice {
  // PSC carries a single savoir-faire; the ordinal specialty is the one relying parties filter on.
  const savoirFaire = entry.savoirFaire.find((sf) => sf.type.code === 'S') ?? entry.savoirFaire[0];
  return {
    codeProfession: entry.profession.code,
    codeCategorieProfessionnelle: entry.category?.code ?? '',
    codeCiviliteDexercice: entry.civiliteExercice?.code ?? '',
    nomDexercice: entry.nomExercice,
    prenomDexercice: entry.prenomExercice,
    codeTypeSavoirFaire: savoirFaire?.type.code ?? '',
    codeSavoirFaire: savoirFaire?.code ?? '',
    // PSC lists one empty situation for a profession practised nowhere (its extract has one line
    // per profession even then), so relying parties reading `activities[0]` find one.
    activities: entry.activities.length > 0 ? entry.activities.map(pscActivity) : [pscActivity(null)],
  };
}

export function pscUserinfo(person: Person, options: PscUserinfoOptions): PscUserinfo {
  const first = person.exercices[0];
  const firstActivity = person.exercices.flatMap((entry) => entry.activities)[0];
  const sector = firstActivity?.sector?.code;
  const codeCivilite = person.civility?.code ?? '';
  const userinfo: PscUserinfo = {
    sub: pscSubject(options.deploymentId, person.nationalId),
    preferred_username: person.nationalId,
    SubjectNameID: person.nationalId,
    given_name: person.givenNames[0] || first?.prenomExercice || '',
    family_name: person.familyName || first?.nomExercice || '',
    codeCivilite,
    SubjectRole: person.exercices.map((entry) => `${entry.profession.code}^${entry.profession.oid}`),
    SubjectOrganization: firstActivity?.structure?.raisonSociale ?? '',
    SubjectOrganizationID: firstActivity?.structure?.structureId ?? '',
    Secteur_Activite: sector ? `${sector}^${SECTEUR_ACTIVITE_OID}` : '',
    codeGenreActivite: firstActivity?.genre?.code ?? '',
    Mode_Acces_Raison: '',
    Acces_Regulation_Medicale: 'FAUX',
    Palier_Authentification: 'APPPRIP3^1.2.250.1.213.1.5.1.1.1',
    PSI_Locale: '1.2.250.1.213.1.3.1.1',
    UITVersion: '1.0',
    otherIds: otherIds(person),
    SubjectRefPro: { codeCivilite, exercices: person.exercices.map(exercice) },
  };
  if (options.authMode) userinfo.authMode = options.authMode;
  return userinfo;
}
