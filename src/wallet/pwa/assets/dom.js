// Screens are built with createElement, never innerHTML: names of services, binding messages and
// error texts come from the network and must never be parsed as HTML.

/** `h('p', { class: 'muted', onclick: fn }, 'text', child)`. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(
    ...children.flat(Infinity).filter((child) => child !== undefined && child !== null && child !== false),
  );
  return element;
}

/**
 * Replaces the page content with a new screen and moves focus to its heading, so that screen
 * readers announce the change as they would a page load.
 */
export function screen(title, ...content) {
  const main = document.getElementById('contenu');
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...content.flat(Infinity).filter(Boolean));
  document.title = `${title} — e-CPS`;
  heading.focus();
  window.scrollTo(0, 0);
  return main;
}

/** An error as the server explains it: what happened and what to do. */
export function errorBox(error) {
  const message = error?.message || 'Une erreur inattendue est survenue.';
  return h(
    'div',
    { class: 'status error', role: 'alert' },
    h('p', { class: 'status-title' }, message),
    error?.hint ? h('p', {}, error.hint) : null,
  );
}

export function successBox(text) {
  return h('div', { class: 'status success', role: 'status' }, h('p', { class: 'status-title' }, text));
}

/** A message area that shows one message at a time (new errors replace old ones). */
export function messageArea() {
  const area = h('div', { class: 'messages' });
  return {
    element: area,
    error(error) {
      area.replaceChildren(errorBox(error));
    },
    success(text) {
      area.replaceChildren(successBox(text));
    },
    info(text) {
      area.replaceChildren(h('p', { role: 'status' }, text));
    },
    clear() {
      area.replaceChildren();
    },
  };
}

export function button(label, onclick, options = {}) {
  return h(
    'button',
    {
      type: options.type ?? 'button',
      class: `button ${options.secondary ? 'secondary' : ''}`.trim(),
      onclick,
    },
    label,
  );
}

/** Disables the form's controls while a call is under way, so nothing is sent twice. */
export async function busy(form, run) {
  const controls = [...form.querySelectorAll('button, input')];
  const wasDisabled = controls.map((control) => control.disabled);
  for (const control of controls) control.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await run();
  } finally {
    form.removeAttribute('aria-busy');
    controls.forEach((control, i) => {
      control.disabled = wasDisabled[i];
    });
  }
}

export function formatDate(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
}

export function formatTime(iso) {
  return new Date(iso).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
}

/** "06 ** ** ** 01" → "06 •• •• •• 01": the same masking, easier to read on a phone. */
export function masked(text) {
  return String(text ?? '').replace(/\*/g, '•');
}
