import { button, h, screen, successBox } from '../dom.js';

/** No e-CPS on this phone: ask for one, or open the QR code of an e-mail or of the portal. */
export function welcome(app, { notice } = {}) {
  screen(
    'Activer ma e-CPS',
    notice ? successBox(notice) : null,
    h('p', {}, "Aucune e-CPS n'est active dans cette application."),
    h(
      'div',
      { class: 'actions' },
      button("Demander l'activation de la e-CPS", () => app.go('requestActivation')),
      button("Scanner un QR code d'activation", () => app.go('scan'), { secondary: true }),
    ),
    h(
      'p',
      { class: 'muted' },
      "Sans carte CPS : demandez l'activation, vous recevrez un e-mail puis un code par SMS. " +
        "Avec votre carte CPS : commencez l'activation sur le portail e-CPS depuis votre ordinateur, " +
        'puis scannez le QR code affiché.',
    ),
  );
}
