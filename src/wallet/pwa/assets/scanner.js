// QR codes read with jsQR, from the camera or from a picture. jsQR is a classic script that
// defines a global; it is loaded only when a screen needs it (it is the app's largest file).

let loading;

function loadJsQR() {
  loading ??= new Promise((resolve, reject) => {
    if (globalThis.jsQR) return resolve(globalThis.jsQR);
    const script = document.createElement('script');
    script.src = new URL('vendor/jsQR.js', import.meta.url).href;
    script.onload = () => resolve(globalThis.jsQR);
    script.onerror = () => {
      loading = undefined;
      reject(new Error("Le lecteur de QR code n'a pas pu être chargé."));
    };
    document.head.append(script);
  });
  return loading;
}

/** Pixels of an image or video frame, scaled down: jsQR is slow on large images. */
function pixels(source, width, height, max) {
  const scale = Math.min(1, max / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** The text of the QR code in a picture file, or undefined if none is found. */
export async function decodeImageFile(file) {
  const jsQR = await loadJsQR();
  // createImageBitmap reads the file directly: no blob: URL, which the strict CSP refuses.
  const bitmap = await createImageBitmap(file);
  try {
    for (const max of [1200, 600]) {
      const image = pixels(bitmap, bitmap.width, bitmap.height, max);
      const found = jsQR(image.data, image.width, image.height);
      if (found?.data) return found.data;
    }
    return undefined;
  } finally {
    bitmap.close();
  }
}

export function cameraAvailable() {
  return Boolean(navigator.mediaDevices?.getUserMedia);
}

/**
 * Films with the back camera into `video` and calls `onText` with every QR code seen, until the
 * returned `stop` is called. Throws if the camera cannot be opened (refused, absent).
 */
export async function startCamera(video, onText) {
  const jsQR = await loadJsQR();
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' } },
    audio: false,
  });
  let stopped = false;
  let timer;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    stop();
    throw error;
  }
  const tick = () => {
    if (stopped) return;
    if (video.readyState >= video.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      const image = pixels(video, video.videoWidth, video.videoHeight, 640);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      if (found?.data) onText(found.data);
    }
    if (!stopped) timer = setTimeout(tick, 200);
  };
  // Not at once: `onText` may leave the screen, which needs `stop` in the caller's hands first.
  timer = setTimeout(tick, 0);
  return stop;
}
