import type { Activity, StructureRecord } from '../../directory/index.ts';

/**
 * A practice situation as Pro Santé Connect shows it in `SubjectRefPro.exercices[].activities[]`.
 * Key order follows PSC's document: some relying parties compare or print it as received.
 */
export interface PscActivity {
  codeModeExercice: string;
  codeSecteurDactivite: string;
  codeSectionPharmacien: string;
  codeRole: string;
  codeGenreActivite: string;
  numeroSiretSite: string;
  numeroSirenSite: string;
  numeroFinessSite: string;
  numeroFinessetablissementJuridique: string;
  identifiantTechniqueDeLaStructure: string;
  raisonSocialeSite: string;
  enseigneCommercialeSite: string;
  complementDestinataire: string;
  complementPointGeographique: string;
  numeroVoie: string;
  indiceRepetitionVoie: string;
  codeTypeDeVoie: string;
  libelleVoie: string;
  mentionDistribution: string;
  bureauCedex: string;
  codePostal: string;
  codeCommune: string;
  codePays: string;
  telephone: string;
  telephone2: string;
  telecopie: string;
  adresseEMail: string;
  codeDepartement: string;
  ancienIdentifiantDeLaStructure: string;
  autoriteDenregistrement: string;
}

/**
 * `null` stands for the empty situation PSC lists for a professional without any (ADELI-only
 * ones): every field is `""`, since PSC never omits a key and relying parties read them unguarded.
 */
export function pscActivity(activity: Activity | null): PscActivity {
  const structure = activity?.structure;
  const s = (key: keyof StructureRecord): string => structure?.[key] ?? '';
  return {
    codeModeExercice: activity?.mode?.code ?? '',
    codeSecteurDactivite: activity?.sector?.code ?? '',
    codeSectionPharmacien: activity?.sectionPharmacien?.code ?? '',
    codeRole: activity?.role ?? '',
    codeGenreActivite: activity?.genre?.code ?? '',
    numeroSiretSite: s('siret'),
    numeroSirenSite: s('siren'),
    numeroFinessSite: s('finess'),
    numeroFinessetablissementJuridique: s('finessEJ'),
    identifiantTechniqueDeLaStructure: s('structureId'),
    raisonSocialeSite: s('raisonSociale'),
    enseigneCommercialeSite: s('enseigne'),
    complementDestinataire: s('complementDestinataire'),
    complementPointGeographique: s('complementPointGeographique'),
    numeroVoie: s('numeroVoie'),
    indiceRepetitionVoie: s('indiceRepetitionVoie'),
    codeTypeDeVoie: s('typeVoieCode'),
    libelleVoie: s('libelleVoie'),
    mentionDistribution: s('mentionDistribution'),
    bureauCedex: s('bureauCedex'),
    codePostal: s('codePostal'),
    codeCommune: s('codeCommune'),
    codePays: s('codePays'),
    telephone: s('telephone'),
    telephone2: s('telephone2'),
    telecopie: s('telecopie'),
    adresseEMail: s('adresseEMail'),
    codeDepartement: s('codeDepartement'),
    ancienIdentifiantDeLaStructure: s('ancienIdentifiant'),
    autoriteDenregistrement: s('autoriteEnregistrement'),
  };
}
