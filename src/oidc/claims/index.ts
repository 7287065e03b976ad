/** Pro Santé Connect claims built from the directory (PSC.md, DESIGN.md §6). */
export {
  nationalIdFromSubject,
  PSC_PROFILE_CLAIMS,
  PSC_SCOPE_ALL_CLAIMS,
  type PscActivity,
  type PscExercice,
  type PscOtherId,
  type PscUserinfo,
  type PscUserinfoOptions,
  pscSubject,
  pscUserinfo,
} from './psc-claims.ts';
