// What a bug report's screenshot may be: a PNG or JPEG of at most 1.5 MB, sent as a data
// URL (the backend stores at most 2 MiB of data-URL text: 1.5 MB of image in base64 plus
// the prefix). Checked in the browser before sending and again on the server. Pure.

export const SCREENSHOT_MAX_BYTES = 1_500_000;
export const SCREENSHOT_MAX_DATA_URL_CHARS = 2_097_152;
export const SCREENSHOT_ACCEPT = 'image/png,image/jpeg';
export type ScreenshotType = 'image/png' | 'image/jpeg';

const DATA_URL = /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;

/** Why a chosen file cannot be attached, or null when it can. */
export function screenshotFileProblem(file: { type: string; size: number }): string | null {
  if (file.type !== 'image/png' && file.type !== 'image/jpeg') return 'Choose a PNG or JPEG image.';
  if (file.size === 0) return 'That file is empty. Choose another image.';
  if (file.size > SCREENSHOT_MAX_BYTES) return 'That image is larger than 1.5 MB. Choose a smaller one or crop it.';
  return null;
}

/** The image type from a file's first bytes (never trust the declared type). */
export function sniffImageType(bytes: Uint8Array): ScreenshotType | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((byte, i) => bytes[i] === byte)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Whether `value` is a data URL the backend accepts as a screenshot. */
export function isScreenshotDataUrl(value: string): boolean {
  return value.length <= SCREENSHOT_MAX_DATA_URL_CHARS && DATA_URL.test(value);
}
