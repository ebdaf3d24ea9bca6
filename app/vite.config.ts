// SvelteKit 3 reads its options from the Vite plugin (svelte.config.js is gone).
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

/**
 * SvelteKit's route announcer (the live region that reads the new page title after a
 * client-side navigation) hides itself with a style attribute, which `style-src 'self'`
 * blocks. Allow exactly that attribute by its hash rather than 'unsafe-inline'. If kit
 * changes the text, the browser test's console check fails and app.css still hides it.
 */
const ANNOUNCER_STYLE =
  'position: absolute; left: 0; top: 0; clip: rect(0 0 0 0); clip-path: inset(50%); overflow: hidden; white-space: nowrap; width: 1px; height: 1px';
const announcerStyleHash = `sha256-${createHash('sha256').update(ANNOUNCER_STYLE).digest('base64')}` as const;

export default defineConfig({
  plugins: [
    sveltekit({
      // The gateway imports build/handler.js and serves it beside /auth/* and /healthz.
      adapter: adapter({ out: 'build' }),
      // Absolute links (resolve() gives '/app', not '../app'): robust on error pages and nested routes.
      paths: { relative: false },
      csp: {
        // Nonces for SSR pages, hashes for prerendered ones: no 'unsafe-inline' scripts.
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self'],
          'style-src-attr': ['unsafe-hashes', announcerStyleHash],
          'img-src': ['self', 'data:'],
          'font-src': ['self'],
          'connect-src': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
          'base-uri': ['self'],
          'object-src': ['none'],
        },
      },
    }),
  ],
  resolve: {
    // better-auth's optional peer pulls @sveltejs/kit 2 into the root node_modules, where
    // adapter-node (also hoisted) would pick it up for '@sveltejs/kit/node'. Resolve kit
    // from this package instead, so the build only ever contains SvelteKit 3.
    dedupe: ['@sveltejs/kit', 'svelte'],
    alias: {
      // The shared server library (pools, auth, logger) lives outside this package.
      // Subpath imports (#lib) cannot point outside a package and kit's `alias` option is
      // deprecated in SvelteKit 3, so this is a plain Vite alias mirrored by
      // compilerOptions.paths in tsconfig.json. Import it only from server-only modules.
      $server: fileURLToPath(new URL('../lib', import.meta.url)),
      // Browser-safe modules shared by the app and the server (the quick-add parser); unlike
      // $server, these may be imported from client code.
      $shared: fileURLToPath(new URL('../lib/shared', import.meta.url)),
    },
  },
});
