/** The e-CPS portal: card login, activation with the card, devices and uses, "mot de passe oublié". */
export { portalRoutes } from './routes.ts';
export { portalMigrations } from './store/migrations.ts';
export type { PortalDb } from './store/tables.ts';
