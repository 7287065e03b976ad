import { facetsOf, searchNamesOf } from '../model/person.ts';
import { searchKey } from '../model/search-key.ts';
import type { PersonSections } from '../model/sections.ts';
import { readSections, SECTION_COLUMNS, type StoredSections, sectionJson } from '../model/stored-sections.ts';
import { assembleSections, type StagedRow } from './assemble.ts';

/** What a person's row derives from its sections (those of every kind of file together). */
export interface Derived {
  idType: string;
  idPP: string;
  familyKey: string;
  givenKey: string;
  /** The PSC extract's correspondence contact (null without a PSC section). */
  email: string | null;
  mobile: string | null;
  facets: Array<{ kind: string; value: string }>;
}

/**
 * One person as the snapshot gives it, ready to compare and write: the stored JSON of each kind
 * of file that has lines for it, and what derives from those sections. Plain data, so that a
 * worker thread can build it and hand it over.
 */
export interface SnapshotPerson {
  idnat: string;
  stored: Partial<StoredSections>;
  derived: Derived;
}

/** `sections` has a person file's section (activite or psc): the person is listed. */
export function derive(idnat: string, sections: PersonSections): Derived {
  const identity = sections.activite ?? sections.psc;
  if (!identity) throw new Error(`${idnat} is in no person file`);
  const names = searchNamesOf(sections);
  return {
    idType: identity.idType,
    idPP: identity.idPP,
    familyKey: searchKey(names.family),
    givenKey: searchKey(names.given),
    email: sections.psc ? sections.psc.email || null : null,
    mobile: sections.psc ? sections.psc.mobile || null : null,
    facets: facetsOf(idnat, identity.idPP, sections),
  };
}

/** The person of these lines (from one or more files); one of them is a person file's. */
export function snapshotPerson(idnat: string, rows: StagedRow[]): SnapshotPerson {
  return fromSections(idnat, assembleSections(rows));
}

/** The same person with the lines other files have for it. */
export function withRows(person: SnapshotPerson, rows: StagedRow[]): SnapshotPerson {
  if (rows.length === 0) return person;
  return fromSections(person.idnat, { ...sectionsOf(person.stored), ...assembleSections(rows) });
}

/** Sections of stored columns, the absent ones being none. */
export function sectionsOf(stored: Partial<StoredSections>): PersonSections {
  return readSections({ activite: null, savoir_faire: null, diplomes: null, psc: null, ...stored });
}

function fromSections(idnat: string, sections: PersonSections): SnapshotPerson {
  const stored: Partial<StoredSections> = {};
  for (const [kind, column] of Object.entries(SECTION_COLUMNS)) {
    const section = sections[kind as keyof PersonSections];
    if (section !== undefined) stored[column] = sectionJson(section);
  }
  return { idnat, stored, derived: derive(idnat, sections) };
}
