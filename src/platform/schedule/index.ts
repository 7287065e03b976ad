export { atMostEvery } from './at-most-every.ts';
