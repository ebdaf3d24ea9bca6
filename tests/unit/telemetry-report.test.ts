// The report page's reading of the API's error answers and the screenshot rules
// (app/src/routes/report-bug/submit.ts, app/src/lib/telemetry/screenshot.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsFromProblem } from '../../app/src/routes/report-bug/submit.ts';
import {
  SCREENSHOT_MAX_BYTES,
  isScreenshotDataUrl,
  screenshotFileProblem,
  sniffImageType,
} from '../../app/src/lib/telemetry/screenshot.ts';

test('a 400 naming a field puts its message next to that field', () => {
  assert.deepEqual(
    errorsFromProblem(400, { message: 'Invalid bug report: description: describe the problem (1 to 5000 characters)' }),
    { description: ['Describe the problem (1 to 5000 characters)'] },
  );
  assert.deepEqual(
    errorsFromProblem(400, {
      message: 'Invalid bug report: screenshot: the screenshot must be a PNG or JPEG data URL',
    }),
    { screenshot: ['The screenshot must be a PNG or JPEG data URL.'] },
  );
  assert.deepEqual(errorsFromProblem(400, { message: 'Invalid bug report: client_errors.3.message: Too big' }), {
    form: ['Invalid bug report: client_errors.3.message: Too big.'],
  });
  assert.deepEqual(errorsFromProblem(400, null), {
    form: ['The report was not accepted. Please check it and try again.'],
  });
});

test('other statuses get a message for the person, never the raw answer', () => {
  assert.ok(errorsFromProblem(413, null).screenshot);
  assert.match(errorsFromProblem(429, null).form?.[0] ?? '', /wait a minute/);
  assert.match(errorsFromProblem(403, null).form?.[0] ?? '', /Reload/);
  assert.match(errorsFromProblem(500, { message: 'select secret from internals' }).form?.[0] ?? '', /our side/);
});

test('screenshots: PNG or JPEG by their bytes, within the size limit', () => {
  assert.equal(screenshotFileProblem({ type: 'image/png', size: 1000 }), null);
  assert.equal(screenshotFileProblem({ type: 'image/jpeg', size: SCREENSHOT_MAX_BYTES }), null);
  assert.match(screenshotFileProblem({ type: 'image/gif', size: 10 }) ?? '', /PNG or JPEG/);
  assert.match(screenshotFileProblem({ type: 'image/png', size: SCREENSHOT_MAX_BYTES + 1 }) ?? '', /1\.5 MB/);
  assert.match(screenshotFileProblem({ type: 'image/png', size: 0 }) ?? '', /empty/);
  assert.equal(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
  assert.equal(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
  assert.equal(sniffImageType(new TextEncoder().encode('<svg onload=alert(1)>')), null);
  assert.equal(sniffImageType(new Uint8Array([])), null);
  assert.equal(isScreenshotDataUrl('data:image/png;base64,iVBORw0KGgo='), true);
  assert.equal(isScreenshotDataUrl('data:image/svg+xml;base64,PHN2Zz4='), false);
  assert.equal(isScreenshotDataUrl('data:image/png;base64,<script>'), false);
  // The limit matches the backend: base64 of the largest allowed file plus the prefix fits.
  const largest = `data:image/jpeg;base64,${'A'.repeat(Math.ceil(SCREENSHOT_MAX_BYTES / 3) * 4)}`;
  assert.equal(isScreenshotDataUrl(largest), true);
});
