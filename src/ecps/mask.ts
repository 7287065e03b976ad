/** `c******n@d****.test`: enough for the professional to recognise it, not for a stranger. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const hide = (text: string) =>
    text.length <= 2 ? `${text[0] ?? ''}*` : `${text[0]}${'*'.repeat(text.length - 2)}${text.at(-1)}`;
  const [host = '', ...rest] = domain.split('.');
  return `${hide(local)}@${hide(host)}${rest.length ? `.${rest.join('.')}` : ''}`;
}

/** `06 ** ** ** 01`. */
export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, '').replace(/^0033/, '0').replace(/^33/, '0');
  return `${digits.slice(0, 2)} ** ** ** ${digits.slice(-2)}`;
}
