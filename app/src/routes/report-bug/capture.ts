// Browser-only helpers of the report page: a chosen file or a screen capture as a data
// URL the backend accepts (PNG/JPEG, within the size limit).
import {
  SCREENSHOT_MAX_DATA_URL_CHARS,
  isScreenshotDataUrl,
  screenshotFileProblem,
  sniffImageType,
} from '#lib/telemetry/screenshot.ts';

export type Attached = { dataUrl: string } | { problem: string };

function readAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
}

/** A file from the file input, checked by its declared type, size and first bytes. */
export async function attachFile(file: File): Promise<Attached> {
  const problem = screenshotFileProblem(file);
  if (problem) return { problem };
  try {
    const type = sniffImageType(new Uint8Array(await file.slice(0, 8).arrayBuffer()));
    if (type !== file.type) return { problem: 'That file is not a PNG or JPEG image. Choose another one.' };
    const dataUrl = await readAsDataUrl(file);
    return isScreenshotDataUrl(dataUrl)
      ? { dataUrl }
      : { problem: 'That image cannot be attached. Choose another one.' };
  } catch {
    return { problem: 'That file could not be read. Choose another one.' };
  }
}

export function canCaptureScreen(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** One frame of a screen, window or tab the person picks, as a JPEG small enough to send. */
export async function captureScreen(): Promise<Attached> {
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
  } catch {
    // The person cancelled the picker or the browser refused.
    return { problem: 'No screen was captured. You can attach an image file instead.' };
  }
  try {
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return { problem: 'The capture was empty. You can attach an image file instead.' };
    for (const maxWidth of [1920, 1280, 800]) {
      const scale = Math.min(1, maxWidth / width);
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
      for (const quality of [0.85, 0.7, 0.5]) {
        const dataUrl = canvas.toDataURL('image/jpeg', quality);
        if (dataUrl.length <= SCREENSHOT_MAX_DATA_URL_CHARS && isScreenshotDataUrl(dataUrl)) return { dataUrl };
      }
    }
    return { problem: 'The capture is too large to send. You can attach a smaller image file instead.' };
  } catch {
    return { problem: 'The screen could not be captured. You can attach an image file instead.' };
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
