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

/**
 * A still video in Y4M (I420) showing the PNG on a white frame, for Chromium's fake camera
 * (`--use-file-for-fake-video-capture`): the phone's camera pointed at a QR code.
 */
export function y4mFromPng(png: Buffer): Buffer {
  const image = PNG.sync.read(png);
  // A camera-like frame with a margin around the image; I420 needs even sides.
  const even = (n: number) => n + (n % 2);
  const width = even(Math.max(640, image.width + 80));
  const height = even(Math.max(480, image.height + 80));
  const left = Math.floor((width - image.width) / 2);
  const top = Math.floor((height - image.height) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
      luma[(top + y) * width + left + x] = Math.round(16 + (65.7 * r + 129.1 * g + 25.1 * b) / 256);
    }
  }
  // Grey only: both chroma planes at their neutral value.
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\nFRAME\n`),
    luma,
    chroma,
  ]);
}
