// Entry point of the gateway process: `node gateway/src/main.ts`.
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { logger } from '../../lib/logger.ts';
import { closeServices, services } from '../../lib/services.ts';
import { createGateway } from './server.ts';

// V8 "pretenures" an allocation site once most of its objects survive a young-generation
// GC: later objects from that site go straight to the old generation. Under steady API
// load the sites building response bodies (tens of KB of JSON text per request) get
// pretenured during warm-up, so every body is promoted garbage: each scavenge then
// scanned ~9 MB of it (5–8 ms pauses, every ~170 ms) and old-generation collections ran
// often. With pretenuring off, scavenges take ~1 ms and promote nothing; measured with
// `npm run bench:api` (docs/performance.md).
setFlagsFromString('--no-allocation-site-pretenuring');

const svc = services();
const server = await createGateway({ services: svc });
server.keepAliveTimeout = 65_000; // longer than typical load balancer idle timeouts
server.listen(svc.config.PORT, svc.config.HOST);
await once(server, 'listening');
logger.info(
  { node: process.version, url: `http://${svc.config.HOST}:${svc.config.PORT}`, env: svc.config.NODE_ENV },
  'gateway listening',
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'gateway stopping');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  server.close();
  server.closeIdleConnections();
  await once(server, 'close').catch(() => undefined);
  await closeServices();
  logger.info('gateway stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
