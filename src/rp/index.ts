/** Relying parties: services that sign professionals in through the provider, over OIDC only. */
export { demoRelyingParty } from './demo/demo-relying-party.ts';
export {
  ESPACE_MEDECIN_PATHS,
  ESPACE_MEDECIN_STORE,
  type EspaceMedecinDb,
  type EspaceMedecinOptions,
  espaceMedecinApp,
  espaceMedecinErrors,
  espaceMedecinMigrations,
} from './espace-medecin/index.ts';
export { type LieuxOptions, lieuxApp } from './lieux/lieux-app.ts';
