/** CPS cards: issuance on the test PKI, opposition, the card host and the card login hand-off. */
export { type CardAssertionClaims, CardAssertions } from './assertion.ts';
export { type CardHolder, cardSubject, readCardHolder } from './card-subject.ts';
export { type CardRecord, type Cards, createCards, crlUrl, type RevokedListener } from './cards.ts';
export * as cardErrors from './errors.ts';
export { type CardHostOptions, createCardHostApp, startCardHost } from './host/card-host.ts';
export type { IssuedCard } from './issue-card.ts';
export { cardLoginRoutes } from './login/routes.ts';
export { cardsMigrations } from './store/migrations.ts';
export type { CardsDb } from './store/tables.ts';
export type { CardIdentity } from './verify/context.ts';
