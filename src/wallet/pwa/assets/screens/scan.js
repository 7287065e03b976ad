import { busy, button, h, messageArea, screen } from '../dom.js';
import { activationToken } from '../protocol.js';
import { cameraAvailable, decodeImageFile, startCamera } from '../scanner.js';

const NOT_AN_ACTIVATION = {
  message: "Ce QR code n'est pas un QR code d'activation e-CPS.",
  hint: "Scannez le QR code de l'e-mail d'activation ou celui du portail e-CPS.",
};

/**
 * "Scanner un QR code d'activation": the camera when there is one, and two ways without it (a
 * picture of the QR code, or the link pasted), since cameras are often refused or absent.
 */
export function scan(app) {
  const messages = messageArea();
  let left = false;
  const found = (text) => {
    if (!activationToken(text)) return false;
    // The camera may see the code again before it stops: the token serves once.
    if (!left) app.go('activation', { link: text });
    return true;
  };

  const video = h('video', {
    class: 'camera',
    muted: true,
    playsinline: true,
    'aria-label': 'Image de la caméra',
  });
  video.muted = true;
  const cameraStatus = h('p', { role: 'status', class: 'muted' });
  const cameraButton = button('Activer la caméra', () => openCamera());
  const camera = h(
    'section',
    { 'aria-labelledby': 'titre-camera', class: 'camera-section' },
    h('h2', { id: 'titre-camera' }, 'Avec la caméra'),
    video,
    cameraStatus,
    cameraButton,
  );
  let stopCamera = () => {};
  let lastWrong = '';
  const openCamera = async () => {
    cameraButton.hidden = true;
    cameraStatus.textContent = 'Ouverture de la caméra…';
    try {
      const stop = await startCamera(video, (text) => {
        if (found(text)) return;
        // The same wrong code stays in view for a while: say it once.
        if (text !== lastWrong) messages.error(NOT_AN_ACTIVATION);
        lastWrong = text;
      });
      // The permission prompt may have lasted longer than the screen.
      if (left) return stop();
      stopCamera = stop;
      video.classList.add('active');
      cameraStatus.textContent = "Visez le QR code de l'e-mail d'activation ou du portail e-CPS.";
    } catch (error) {
      cameraButton.hidden = false;
      cameraStatus.textContent =
        error?.name === 'NotAllowedError'
          ? "L'accès à la caméra a été refusé. Autorisez-le dans les réglages du navigateur, ou utilisez une des possibilités ci-dessous."
          : "La caméra n'est pas disponible. Utilisez une des possibilités ci-dessous.";
    }
  };
  app.onLeave(() => {
    left = true;
    stopCamera();
  });

  const file = h('input', { id: 'image-qr', type: 'file', accept: 'image/*' });
  const fileForm = h(
    'div',
    { class: 'field' },
    h('label', { for: 'image-qr' }, 'Choisir une image du QR code'),
    h('p', { class: 'muted hint', id: 'image-qr-aide' }, "Une capture d'écran ou une photo du QR code."),
    file,
  );
  file.setAttribute('aria-describedby', 'image-qr-aide');
  file.addEventListener('change', async () => {
    const picked = file.files?.[0];
    if (!picked) return;
    messages.info("Lecture de l'image…");
    try {
      const text = await decodeImageFile(picked);
      if (!text)
        messages.error({
          message: "Aucun QR code n'a été trouvé dans cette image.",
          hint: 'Choisissez une image nette où le QR code est entier.',
        });
      else if (!found(text)) messages.error(NOT_AN_ACTIVATION);
    } catch {
      messages.error({
        message: "Cette image n'a pas pu être lue.",
        hint: 'Choisissez une image PNG ou JPEG.',
      });
    }
    file.value = '';
  });

  const linkInput = h('input', {
    id: 'lien',
    name: 'lien',
    type: 'url',
    autocomplete: 'off',
    required: true,
  });
  const linkForm = h(
    'form',
    { novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'lien' }, "Coller le lien d'activation"),
      h('p', { class: 'muted hint', id: 'lien-aide' }, "Le lien « Démarrer l'activation » de l'e-mail."),
      linkInput,
    ),
    button('Utiliser ce lien', undefined, { type: 'submit', secondary: true }),
  );
  linkInput.setAttribute('aria-describedby', 'lien-aide');
  linkForm.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(linkForm, async () => {
      if (!found(linkInput.value)) {
        messages.error({
          message: "Ce lien n'est pas un lien d'activation e-CPS.",
          hint: "Copiez le lien « Démarrer l'activation » de l'e-mail en entier.",
        });
        linkInput.focus();
      }
    });
  });

  screen(
    "Scanner un QR code d'activation",
    messages.element,
    cameraAvailable() ? camera : h('p', { class: 'muted' }, "Ce navigateur n'a pas accès à une caméra."),
    h(
      'section',
      { 'aria-labelledby': 'titre-autres' },
      h('h2', { id: 'titre-autres' }, 'Sans la caméra'),
      fileForm,
      linkForm,
    ),
    h(
      'div',
      { class: 'actions' },
      button("Retour à l'accueil", () => app.go('welcome'), { secondary: true }),
    ),
  );
  if (cameraAvailable()) openCamera();
}
