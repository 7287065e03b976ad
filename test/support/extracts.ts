import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Headers and real rows quoted in EXTRACTS.md (names replaced there by ANS's NOMx/PRENOMx). */
export const ACTIVITE_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|";

export const REAL_ROWS = {
  orthoptist:
    '0|019200575|0019200575|||MME|Madame|NOM3|PRENOM3|92|Orthoptiste|C|Civil|||||L|Libéral|||||C01920057500|CABINET MME NOM3||CABINET MME NOM3|MAISON DE SANTE DE MIONNAY|90||R|Rue|PRINCIPALE||01390 MIONNAY|01390|||||0472260321||||||001920057500|ARS/CPAM/CPAM|SA08|Cabinet de groupe|||',
  doctor:
    '8|10001045367|810001045367|DR|Docteur|M|Monsieur|NOM5|PRENOM5|10|Médecin|C|Civil|S|Spécialité ordinale|SM49|Santé publique et médecine sociale|S|Salarié|85131528300016||||R10100000328372|AIMMUNE THERAPEUTICS UK LIMITED|AIMMUNE THERAPEUTICS|AIMMUNE THERAPEUTICS UK LIMITED||||||CARRICK HOUSE LYPIATT ROAD||GL 5O 2QJ CHELTENHAM|GL|||99132|Royaume-uni|||||||385131528300016|CNOM/CNOM/CNOM|SA32|Fab. Exploit. Import. Méd. DM|||',
};

export const SAVOIR_FAIRE_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|";

export const DIPLOMES_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code type diplôme obtenu|Libellé type diplôme obtenu|Code diplôme obtenu|Libellé diplôme obtenu|Code type autorisation|Libellé type autorisation|Code discipline autorisation|Libellé discipline autorisation|";

export const PSC_HEADER =
  "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom de famille|Prénoms|Date de naissance|Code commune de naissance|Code pays de naissance|Lieu de naissance|Code sexe|Téléphone (coord. correspondance)|Adresse e-mail (coord. correspondance)|Code civilité|Code profession|Code catégorie professionnelle|Code civilité d'exercice|Nom d'exercice|Prénom d'exercice|Code type savoir-faire|Code savoir-faire|Code mode exercice|Code secteur d'activité|Code section tableau pharmaciens|Code rôle|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Code pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code département (coord. structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Autres identifiants|Code genre d'activité|";

/** A temporary folder to write extract files into. */
export function extractDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'caducee-extract-'));
}

export function writeExtract(
  dir: string,
  name: string,
  lines: string[],
  options: { bom?: boolean; crlf?: boolean } = {},
): string {
  const file = path.join(dir, name);
  const eol = options.crlf ? '\r\n' : '\n';
  writeFileSync(file, (options.bom ? '\ufeff' : '') + lines.join(eol) + eol);
  return file;
}

/** Builds a line from a header and values by column name (unnamed columns empty). */
export function line(header: string, values: Record<string, string>): string {
  const columns = header.split('|').slice(0, -1);
  for (const key of Object.keys(values)) if (!columns.includes(key)) throw new Error(`no column ${key}`);
  return `${columns.map((column) => values[column] ?? '').join('|')}|`;
}
