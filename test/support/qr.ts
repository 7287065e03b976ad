import jsQRModule from 'jsqr';

// jsqr is CommonJS with a default export property.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

import { PNG } from 'pngjs';

/** Reads the text of a QR code from a PNG image, as a phone's camera would. */
export function decodeQr(png: Buffer): string {
  const image = PNG.sync.read(png);
  const found = jsQR(
    new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length),
    image.width,
    image.height,
  );
  if (!found) throw new Error('no QR code found in the image');
  return found.data;
}
