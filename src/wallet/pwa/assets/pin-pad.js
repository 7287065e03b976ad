// The 4-digit password entry: a real password field (labelled, usable with any keyboard or
// assistive technology) plus an on-screen pad, as on the e-CPS of other apps. The pad's keys
// are in a fixed order: a shuffled pad would not help against someone watching, and would defeat
// muscle memory and screen-reader users.
import { h } from './dom.js';

const LENGTH = 4;
let counter = 0;

export function pinPad(label) {
  const id = `mot-de-passe-${++counter}`;
  const input = h('input', {
    id,
    name: id,
    type: 'password',
    inputmode: 'numeric',
    pattern: '[0-9]{4}',
    maxlength: String(LENGTH),
    autocomplete: 'off',
    required: true,
    class: 'pin-input',
    'aria-describedby': `${id}-aide`,
  });
  // Pad presses change the field without the user's caret in it: say where the entry stands.
  const progress = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: `${id}-etat` });

  const refresh = (announce) => {
    const digits = input.value.replace(/\D/g, '').slice(0, LENGTH);
    if (digits !== input.value) input.value = digits;
    if (announce)
      progress.textContent = `${digits.length} chiffre${digits.length > 1 ? 's' : ''} saisi${digits.length > 1 ? 's' : ''} sur ${LENGTH}`;
  };
  input.addEventListener('input', () => refresh(false));

  const press = (digit) => {
    if (input.value.length >= LENGTH) return;
    input.value += digit;
    refresh(true);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const erase = () => {
    input.value = input.value.slice(0, -1);
    refresh(true);
  };
  const key = (digit) =>
    h('button', { type: 'button', class: 'pin-key', onclick: () => press(digit) }, digit);
  const keys = h(
    'div',
    { class: 'pin-keys', role: 'group', 'aria-label': 'Clavier numérique' },
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map(key),
    h(
      'button',
      {
        type: 'button',
        class: 'pin-key pin-erase',
        'aria-label': 'Effacer le dernier chiffre',
        onclick: erase,
      },
      'Effacer',
    ),
    key('0'),
  );

  const element = h(
    'div',
    { class: 'pin-pad' },
    h('label', { for: id }, label),
    h(
      'p',
      { id: `${id}-aide`, class: 'muted hint' },
      '4 chiffres, avec le clavier ci-dessous ou celui du téléphone.',
    ),
    input,
    progress,
    keys,
  );
  return {
    element,
    input,
    value: () => input.value,
    complete: () => /^\d{4}$/.test(input.value),
    clear() {
      input.value = '';
      refresh(false);
      progress.textContent = '';
    },
  };
}
