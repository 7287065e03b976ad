import { busy, button, h, messageArea, screen } from '../dom.js';
import { pinPad } from '../pin-pad.js';

/** "Je teste ma e-CPS": a real login request answered with the password. */
export function pinTest(app) {
  const messages = messageArea();
  const pad = pinPad('Mot de passe e-CPS');
  const form = h(
    'form',
    { novalidate: true },
    pad.element,
    h(
      'div',
      { class: 'actions' },
      button('Tester', undefined, { type: 'submit' }),
      button('Retour', () => app.go('home'), { secondary: true }),
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!pad.complete()) {
      messages.error({ message: 'Saisissez votre mot de passe e-CPS (4 chiffres).' });
      return;
    }
    try {
      const { message } = await busy(form, () => app.client.test(pad.value()));
      messages.success(message);
    } catch (error) {
      if (!app.deviceTrouble(error)) messages.error(error);
    }
    pad.clear();
  });
  screen(
    'Je teste ma e-CPS',
    h('p', {}, 'Saisissez votre mot de passe : une connexion de test est faite avec votre e-CPS.'),
    messages.element,
    form,
  );
}
