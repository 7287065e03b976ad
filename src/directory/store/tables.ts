import type { Kysely } from 'kysely';
import type { StoredSections } from '../model/stored-sections.ts';

/** Durable directory tables. Timestamps are ISO-8601 text on both stores. */
export interface DirectoryPersonTable extends StoredSections {
  idnat: string;
  id_type: string;
  id_pp: string;
  /** 1 while the person is in the latest extract; gone persons become 0, never deleted. */
  active: number;
  /** Normalised nom / prénom d'exercice (upper-case ASCII), for prefix search. */
  family_key: string;
  given_key: string;
  /** Correspondence contact from the PSC extract, and when the extract last changed it. */
  email: string | null;
  mobile: string | null;
  contact_at: string | null;
  created_at: string;
  updated_at: string;
  inactivated_at: string | null;
}

/** Search keys: profession, specialty, postcode, identifiers other than the person's own (facetsOf). */
export interface DirectoryFacetTable {
  idnat: string;
  kind: string;
  value: string;
}

/** A correspondence change made at the registration authority, in force from `effective_at`. */
export interface DirectoryContactChangeTable {
  id: string;
  idnat: string;
  email: string | null;
  mobile: string | null;
  requested_at: string;
  effective_at: string;
  requested_by: string;
}

export interface DirectoryImportTable {
  id: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  files: string;
  summary: string | null;
}

export interface DirectoryTables {
  directory_person: DirectoryPersonTable;
  directory_facet: DirectoryFacetTable;
  directory_contact_change: DirectoryContactChangeTable;
  directory_import: DirectoryImportTable;
}

export type DirectoryDb = Kysely<DirectoryTables>;
