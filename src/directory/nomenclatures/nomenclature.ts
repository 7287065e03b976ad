import { readFileSync } from 'node:fs';

/**
 * The ANS reference tables (TRE_*) the extracts code their values with. Extract files print labels
 * that drift from the current ones, so the directory keeps codes and resolves labels here.
 */
export interface Concept {
  code: string;
  display: string;
  libelleCourt?: string;
  active: boolean | null;
}

export interface Nomenclature {
  name: string;
  oid: string;
  system: string;
  concepts: Map<string, Concept>;
}

export type TableName =
  | 'TRE_G07-TypeIdentifiantStructure'
  | 'TRE_G08-TypeIdentifiantPersonne'
  | 'TRE_G15-ProfessionSante'
  | 'TRE_R02-SecteurActivite'
  | 'TRE_R04-TypeSavoirFaire'
  | 'TRE_R09-CategorieProfessionnelle'
  | 'TRE_R11-CiviliteExercice'
  | 'TRE_R21-Fonction'
  | 'TRE_R22-GenreActivite'
  | 'TRE_R23-ModeExercice'
  | 'TRE_R38-SpecialiteOrdinale'
  | 'TRE_R81-Civilite'
  | 'TRE_R94-ProfessionSocial'
  | 'TRE_R95-UsagerTitre';

interface TableFile {
  name: string;
  oid: string;
  system: string;
  concepts: Array<{ code: string; display: string; libelleCourt?: string; active: boolean | null }>;
}

const loaded = new Map<TableName, Nomenclature>();

export function table(name: TableName): Nomenclature {
  let found = loaded.get(name);
  if (!found) {
    const file = JSON.parse(
      readFileSync(new URL(`./tables/${name}.json`, import.meta.url), 'utf8'),
    ) as TableFile;
    found = {
      name: file.name,
      oid: file.oid,
      system: file.system,
      concepts: new Map(
        file.concepts.map((c) => [
          c.code,
          { code: c.code, display: c.display, libelleCourt: c.libelleCourt, active: c.active },
        ]),
      ),
    };
    loaded.set(name, found);
  }
  return found;
}

/** A coded value with its label; `label` is null when the code is in no table we hold. */
export interface Coded {
  code: string;
  label: string | null;
}

export function resolve(name: TableName, code: string): Coded {
  return { code, label: table(name).concepts.get(code)?.display ?? null };
}

const PROFESSION_TABLES: TableName[] = [
  'TRE_G15-ProfessionSante',
  'TRE_R94-ProfessionSocial',
  'TRE_R95-UsagerTitre',
];

/**
 * `Code profession` holds a code of G15, R94 or R95 (or R291, which we do not hold): look it up in
 * their union. Returns the table too, since `SubjectRole` carries the table's OID.
 */
export function profession(code: string): Coded & { oid: string } {
  for (const name of PROFESSION_TABLES) {
    const concept = table(name).concepts.get(code);
    if (concept) return { code, label: concept.display, oid: table(name).oid };
  }
  return { code, label: null, oid: table('TRE_G15-ProfessionSante').oid };
}

/** Savoir-faire labels are only held for specialties (type S, TRE_R38). */
export function savoirFaire(typeCode: string, code: string): Coded {
  if (typeCode === 'S') return resolve('TRE_R38-SpecialiteOrdinale', code);
  return { code, label: null };
}
