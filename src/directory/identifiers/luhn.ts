/**
 * Luhn check over a string of digits. Every real RPPS, ADELI, FINESS, SIREN and SIRET number
 * found carries a Luhn key as its last digit (EXTRACTS.md §3).
 */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The key digit that makes `body + key` pass the Luhn check (to build test numbers). */
export function luhnKey(body: string): string {
  for (let key = 0; key <= 9; key++) if (luhnValid(`${body}${key}`)) return String(key);
  throw new Error(`no Luhn key for ${body}`);
}
