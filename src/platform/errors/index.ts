export { CaduceeError, defineError, type ErrorFactory, isCaduceeError } from './caducee-error.ts';
export * from './catalogue.ts';
export { asCaduceeError, type ErrorBody, errorToJson, errorToText } from './render.ts';
export { describeStoreFailure, type StoreFailure } from './store-failure.ts';
