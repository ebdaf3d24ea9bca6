// One HTTP attempt of a webhook delivery: POST the body to the pinned address (see
// target.ts), 10 s for the whole exchange, no redirects followed, and keep the first KB
// of the response for the delivery log. Never throws: every outcome is a SendResult.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type Resolver, TargetRefused, resolveTarget } from './target.ts';

export const TIMEOUT_MS = 10_000;
export const SNIPPET_BYTES = 1024;

export type SendResult = {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  snippet: string | null;
  error: string | null;
};

export type SendOptions = {
  url: string;
  body: string;
  headers: Record<string, string>;
  allowInsecure: boolean;
  resolve: Resolver;
  timeoutMs?: number;
};

/**
 * The first SNIPPET_BYTES bytes as text, cut back to whole characters, without NUL
 * characters (Postgres text cannot hold them: recording the attempt would fail every retry).
 */
function snippetOf(chunks: Buffer[]): string {
  const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
  let snippet = text.replace(/\uFFFD+$/, '').replaceAll('\u0000', '');
  while (Buffer.byteLength(snippet) > SNIPPET_BYTES) snippet = snippet.slice(0, -1);
  return snippet;
}

export async function postWebhook(options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target;
  try {
    target = await resolveTarget(options.url, options);
  } catch (error) {
    const message = error instanceof TargetRefused ? `refused: ${error.message}` : String(error);
    return { ok: false, status: null, latencyMs: elapsed(), snippet: null, error: message };
  }
  const { url, address, family } = target;
  // Connect to the address that was checked, whatever the name resolves to by now.
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: elapsed() });
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup,
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(options.body)),
          'user-agent': 'TaskMaster-Webhooks/1.0',
        },
      },
      (response) => {
        const status = response.statusCode ?? null;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const ok = status !== null && status >= 200 && status < 300;
          finish({
            ok,
            status,
            snippet: snippetOf(chunks),
            error: ok
              ? null
              : status !== null && status >= 300 && status < 400
                ? `HTTP ${status} (redirects are not followed)`
                : `HTTP ${status}`,
          });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= SNIPPET_BYTES) {
            done();
            response.destroy();
          }
        });
        response.on('end', done);
        response.on('error', done);
        response.on('close', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({
        ok: false,
        status: null,
        snippet: null,
        error: `no response within ${options.timeoutMs ?? TIMEOUT_MS} ms`,
      });
    }, options.timeoutMs ?? TIMEOUT_MS);
    request.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ok: false, status: null, snippet: null, error: `request failed: ${error.code ?? error.message}` });
    });
    request.end(options.body);
  });
}
