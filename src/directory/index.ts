/** The national directory of health professionals (Annuaire Santé): import, read, search. */

export { DEMO_EXTRACTS_DIR, demoExtractFiles, loadDemoDirectoryIfEmpty } from './demo/demo.ts';
export { createDirectory, type Directory, type DirectoryStats } from './directory.ts';
export * as directoryErrors from './errors.ts';
export { directoryOpenApi } from './http/openapi.ts';
export { type PublicPerson, publicPerson } from './http/public-person.ts';
export { directoryRoutes } from './http/routes.ts';
export * from './identifiers/index.ts';
export type { ImportOptions, ImportProgress, ImportSummary } from './import/import-directory.ts';
export type { Activity, Contact, Exercice, Person, SavoirFaire } from './model/person.ts';
export type { StructureRecord } from './model/sections.ts';
export * as nomenclatures from './nomenclatures/index.ts';
export type { PersonSummary, SearchQuery } from './read/search.ts';
export { directoryMigrations } from './store/migrations.ts';
