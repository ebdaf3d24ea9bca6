// The service worker: the app shell works without a network.
// - The build (immutable, hashed assets) and the static files are precached in a cache
//   named by the app version; a new version installs beside the old one and waits until
//   the person chooses "Reload" (UpdatePrompt posts `skip-waiting`), then the old caches go.
// - Page navigations go to the network first; a successful HTML answer is kept (per
//   version) so that page opens offline after one online visit. SvelteKit's __data.json
//   (client-side navigation) is treated the same way.
// - Data and auth are never cached here: /auth/*, /rest/*, /graphql, /api/* pass through.
//   The last-seen tasks live in IndexedDB (app/src/lib/offline), per person.
// - Signing out deletes the kept pages and every person's offline database.
import { version } from '$app/env';
import { assets, immutable } from '$app/manifest';
import { self as sw } from '$app/service-worker';
import { deleteAllStores, PAGES_PREFIX } from '#lib/offline/store.ts';

const ASSETS = `assets-${version}`;
const PAGES = `${PAGES_PREFIX}${version}`;
/** The manifest's paths are relative to the base path (the worker's scope). */
const base = new URL(sw.registration.scope).pathname;
const PRECACHE = [...immutable, ...assets].map(({ path }) => (path.startsWith('/') ? path : `${base}${path}`));
const PRECACHED = new Set(PRECACHE);
/** Never answered from (or written to) a cache: data, sessions, tokens. */
const NEVER_CACHED = ['/auth/', '/rest/', '/graphql', '/api/'];

function neverCached(pathname: string): boolean {
  return NEVER_CACHED.some((prefix) => pathname.startsWith(prefix) || `${pathname}/` === prefix);
}

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(ASSETS).then((cache) => cache.addAll(PRECACHE)));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== ASSETS && name !== PAGES) await caches.delete(name);
      await sw.clients.claim();
    })(),
  );
});

type Message = { type: 'skip-waiting' } | { type: 'cache-page'; url: string };

sw.addEventListener('message', (event) => {
  const data = event.data as Message | null;
  if (data?.type === 'skip-waiting') void sw.skipWaiting();
  else if (data?.type === 'cache-page' && typeof data.url === 'string') {
    // A page this worker did not see load (the first visit, a client-side navigation):
    // keep a copy for offline starts, unless one is kept already.
    const url = new URL(data.url, sw.location.origin);
    if (url.origin === sw.location.origin && !neverCached(url.pathname))
      event.waitUntil(
        (async () => {
          const cache = await caches.open(PAGES);
          if (await cache.match(url.href, { ignoreVary: true })) return;
          await keepPage(url.href, await fetch(url, { credentials: 'same-origin' }));
        })().catch(() => undefined),
      );
  }
});

/** Keeps a successful, same-origin HTML or page-data answer. */
async function keepPage(key: string, response: Response): Promise<void> {
  if (!response.ok || response.redirected || response.type !== 'basic') return;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('text/html') && !type.includes('application/json')) return;
  const cache = await caches.open(PAGES);
  await cache.put(key, response);
}

async function networkFirst(request: Request, key: string, fallback: () => Promise<Response>): Promise<Response> {
  let response: Response | null = null;
  try {
    response = await fetch(request);
    if (response.ok) await keepPage(key, response.clone());
    // A server that is down (not a refusal) is treated like no network.
    if (response.status < 502) return response;
  } catch {
    // no network: the kept copy below
  }
  const cache = await caches.open(PAGES);
  return (
    (await cache.match(key, { ignoreVary: true })) ??
    (await cache.match(key, { ignoreVary: true, ignoreSearch: true })) ??
    response ??
    fallback()
  );
}

function offlinePage(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · TaskMaster</title></head><body><main><h1>You are offline</h1><p>This page has not been opened on this device yet, so there is no copy of it to show. Your Inbox and the pages you visited open offline.</p><p><a href="/app">Open the Inbox</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;

  if (request.method !== 'GET') {
    // Signing out (a form POST): nothing of this person may stay on the device.
    if (request.method === 'POST' && url.pathname === '/sign-out') event.waitUntil(forgetEverything());
    return;
  }
  if (neverCached(url.pathname)) return;

  if (PRECACHED.has(url.pathname)) {
    event.respondWith(
      caches
        .open(ASSETS)
        .then((cache) => cache.match(url.pathname))
        .then((hit) => hit ?? fetch(request)),
    );
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, url.href, async () => offlinePage()));
    return;
  }
  if (url.pathname.endsWith('/__data.json')) {
    event.respondWith(networkFirst(request, url.href, async () => Response.error()));
  }
});

async function forgetEverything(): Promise<void> {
  for (const name of await caches.keys()) if (name.startsWith(PAGES_PREFIX)) await caches.delete(name);
  await deleteAllStores();
}
