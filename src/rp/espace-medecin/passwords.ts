import { hash, verify } from '@node-rs/argon2';

/** The rules of the account password (DESIGN §3.7); each broken one is named to the user. */
export function passwordProblems(password: string, repeat: string): string[] {
  const problems: string[] = [];
  if (password.length < 8) problems.push('Le mot de passe doit contenir au moins 8 caractères.');
  if (!/\p{Ll}/u.test(password))
    problems.push('Le mot de passe doit contenir au moins une lettre minuscule.');
  if (!/\p{Lu}/u.test(password))
    problems.push('Le mot de passe doit contenir au moins une lettre majuscule.');
  if (!/\d/.test(password)) problems.push('Le mot de passe doit contenir au moins un chiffre.');
  if (password.length > 128) problems.push('Le mot de passe ne doit pas dépasser 128 caractères.');
  if (password !== repeat) problems.push('Les deux mots de passe saisis ne sont pas identiques.');
  return problems;
}

/**
 * argon2id (algorithm 2) with the library's defaults (19 MiB, 2 passes, 1 lane): OWASP's minimum.
 * Exported for the benchmark, which measures the raw rate of these very parameters.
 */
export const PASSWORD_HASH_OPTIONS = { algorithm: 2 } as const;

export const hashPassword = (password: string) => hash(password, PASSWORD_HASH_OPTIONS);

let dummy: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. Without an account there is still a hash to check
 * (a fixed one), so that an unknown identifier takes as long as a wrong password. `verifyHash`
 * lets a test see that this work is done.
 */
export async function checkPassword(
  stored: string | undefined,
  password: string,
  verifyHash: (hash: string, password: string) => Promise<boolean> = verify,
): Promise<boolean> {
  dummy ??= hashPassword('compte-inexistant-Caducee-1');
  const target = stored ?? (await dummy);
  const ok = await verifyHash(target, password).catch(() => false);
  return ok && stored !== undefined;
}
