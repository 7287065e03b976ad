/** Relying parties: services that sign professionals in through the provider, over OIDC only. */
export { demoRelyingParty } from './demo/demo-relying-party.ts';
export { type LieuxOptions, lieuxApp } from './lieux/lieux-app.ts';
