export {
  checkAdeli,
  checkFiness,
  checkRpps,
  checkSiren,
  checkSiret,
  type IdentifierProblem,
} from './identifiers.ts';
export { luhnKey, luhnValid } from './luhn.ts';
export {
  isPersonNationalId,
  type NationalId,
  type NationalIdKind,
  type NationalIdResult,
  nationalIdFor,
  parseNationalId,
} from './national-id.ts';
