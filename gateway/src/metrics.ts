// GET /metrics: the job queue in Prometheus text format (lib/jobs/stats.ts): dead letters,
// ready depth and oldest ready age per task, depth per worker class, events shed, open
// dead-letter alerts. Read from Postgres on each scrape (one round of small aggregate
// queries), so every gateway process reports the same numbers.
//
// Access: with METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>`; without it,
// only direct loopback callers (a scraper on the same host): a request that came through
// a proxy (X-Forwarded-For / Forwarded present) is refused even from 127.0.0.1, because
// the proxy's address is loopback, not the client's.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { prometheusText, queueSnapshot } from '../../lib/jobs/stats.ts';
import type { Services } from '../../lib/services.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function allowedToScrape(req: IncomingMessage, token: string | undefined): boolean {
  if (token) {
    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return bearer !== undefined && timingSafeEqual(digest(bearer), digest(token));
  }
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !proxied && isLoopback(req.socket.remoteAddress);
}

export function createMetricsHandler(svc: Services) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const send = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
    if (!allowedToScrape(req, svc.config.METRICS_TOKEN)) {
      return send(403, 'metrics are for the local scraper or a bearer token (METRICS_TOKEN)\n');
    }
    const text = prometheusText(await queueSnapshot(svc.servicePool));
    send(200, text, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  };
}
