import { nomenclatures } from '../../directory/index.ts';

/** One practice location, as the page shows it. */
export interface PracticeLocation {
  profession: string;
  name: string;
  address: string[];
  phone: string;
  email: string;
}

/** What the page keeps of a login: who, and where they practise. */
export interface LieuxProfile {
  idnat: string;
  name: string;
  /** The identifier is ADELI-based (`0…`): PSC carries no practice location for those. */
  adeli: boolean;
  locations: PracticeLocation[];
}

type Activity = Record<string, string>;
type Exercice = { codeProfession?: string; activities?: Activity[] };

const label = (code: string | undefined) => {
  if (!code) return '';
  // Public ANS nomenclature (the same tables Santé.fr uses), not the provider's data.
  return nomenclatures.profession(code).label ?? `profession ${code}`;
};

/**
 * Reads the practice locations from PSC's userinfo: `SubjectRefPro.exercices[].activities[]`. PSC
 * lists one empty activity for a professional without any; a location is an activity with a
 * structure.
 */
export function profileFromClaims(userinfo: Record<string, unknown>): LieuxProfile {
  const idnat = String(userinfo.preferred_username ?? userinfo.SubjectNameID ?? '');
  const exercices = ((userinfo.SubjectRefPro as { exercices?: Exercice[] } | undefined)?.exercices ??
    []) as Exercice[];
  const locations = exercices.flatMap((exercice) =>
    (exercice.activities ?? [])
      .filter((activity) => activity.identifiantTechniqueDeLaStructure)
      .map((activity) => ({
        profession: label(exercice.codeProfession),
        name: activity.enseigneCommercialeSite || activity.raisonSocialeSite || 'Lieu d’exercice',
        address: [
          activity.complementDestinataire,
          activity.complementPointGeographique,
          [activity.numeroVoie, activity.indiceRepetitionVoie, activity.codeTypeDeVoie, activity.libelleVoie]
            .filter(Boolean)
            .join(' '),
          activity.mentionDistribution,
          activity.bureauCedex || [activity.codePostal].filter(Boolean).join(' '),
        ].filter((line): line is string => Boolean(line)),
        phone: activity.telephone ?? '',
        email: activity.adresseEMail ?? '',
      })),
  );
  return {
    idnat,
    name: [userinfo.given_name, userinfo.family_name].filter(Boolean).join(' '),
    adeli: idnat.startsWith('0'),
    locations,
  };
}
