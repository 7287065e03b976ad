/** The espace médecin libéral (ViaTrajectoire-like) relying party: its app, store and errors. */
export { ESPACE_MEDECIN_PATHS, type EspaceMedecinOptions, espaceMedecinApp } from './app.ts';
export * as espaceMedecinErrors from './errors.ts';
export { hashPassword, PASSWORD_HASH_OPTIONS } from './passwords.ts';
export { espaceMedecinMigrations } from './store/migrations.ts';
export type { EspaceMedecinDb } from './store/tables.ts';

/** Where its own database lives: a SQLite file of its own, or its own PostgreSQL schema. */
export const ESPACE_MEDECIN_STORE = { file: 'espace-medecin.sqlite', schema: 'espace_medecin' };
