// The browser's access token: the session cookie is exchanged at GET /auth/token for a
// short-lived EdDSA JWT (docs/api.md). One token is cached and shared by every request;
// it is refreshed silently a minute before it expires, and once more when the API still
// answers 401 (clock skew, a rotated key). When the session itself is gone (/auth/token
// refuses), the person is sent to sign in again and no request is made as anon.

/** Refresh this long before the token's `exp`. */
const REFRESH_MARGIN_MS = 60_000;

type Cached = { token: string; expiresAt: number };

/** The `exp` claim (ms since epoch) of a JWT, or now + 5 min when it cannot be read. */
export function tokenExpiry(token: string, now = Date.now()): number {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
  } catch {
    // fall through
  }
  return now + 5 * 60_000;
}

export class SessionExpiredError extends Error {
  constructor() {
    super('Your session has ended. Sign in again to continue.');
    this.name = 'SessionExpiredError';
  }
}

export type TokenProviderOptions = {
  fetch?: typeof fetch;
  now?: () => number;
  /** Called once when the session is refused; the default sends the browser to /sign-in. */
  onSignedOut?: () => void;
};

export class AccessTokenProvider {
  #cached: Cached | null = null;
  #inflight: Promise<string> | null = null;
  #fetch: typeof fetch;
  #now: () => number;
  #onSignedOut: () => void;
  #signedOut = false;

  constructor(options: TokenProviderOptions = {}) {
    this.#fetch = options.fetch ?? ((...args) => fetch(...args));
    this.#now = options.now ?? Date.now;
    this.#onSignedOut = options.onSignedOut ?? defaultSignedOut;
  }

  /** A token valid for at least another minute (fetches one only when needed). */
  get = async (): Promise<string> => {
    const cached = this.#cached;
    if (cached && cached.expiresAt - REFRESH_MARGIN_MS > this.#now()) return cached.token;
    return this.refresh();
  };

  /** Forget the cached token (after a 401) and fetch a new one; concurrent callers share it. */
  refresh = (): Promise<string> => {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  };

  /** Forgets the token (another person signed in in this tab). */
  clear(): void {
    this.#cached = null;
    this.#signedOut = false;
  }

  /** Seed from a token the server already issued (not used for SSR, handy in tests). */
  seed(token: string): void {
    this.#cached = { token, expiresAt: tokenExpiry(token, this.#now()) };
  }

  async #load(): Promise<string> {
    this.#cached = null;
    const res = await this.#fetch('/auth/token', {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (res.status === 401 || res.status === 403) {
      if (!this.#signedOut) {
        this.#signedOut = true;
        this.#onSignedOut();
      }
      throw new SessionExpiredError();
    }
    if (!res.ok) throw new Error(`Could not get an access token (HTTP ${res.status}).`);
    const body = (await res.json()) as { token?: unknown };
    if (typeof body.token !== 'string') throw new Error('The token endpoint answered without a token.');
    this.#cached = { token: body.token, expiresAt: tokenExpiry(body.token, this.#now()) };
    return body.token;
  }
}

function defaultSignedOut(): void {
  if (typeof location === 'undefined') return;
  const back = `${location.pathname}${location.search}`;
  location.assign(`/sign-in?redirectTo=${encodeURIComponent(back)}`);
}
