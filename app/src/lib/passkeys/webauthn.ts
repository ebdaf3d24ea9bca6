// The browser half of passkeys: ask the server for options, let the browser talk to the
// authenticator (@simplewebauthn/browser), send the answer back. Imported dynamically by
// PasskeyButton and the settings page only, so no other page downloads it.
// Endpoints: Better Auth's passkey plugin (/auth/passkey/*) and TaskMaster's step-up pair
// (lib/auth/passkeys.ts). Every request is JSON from this origin, which Better Auth's
// origin check accepts.
import {
  startAuthentication,
  startRegistration,
  WebAuthnError,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

export type PasskeyOutcome = { ok: true } | { ok: false; message: string; code?: string };

const BASE = '/auth/passkey';

/** Messages a person can act on, for the server's codes. */
const SERVER_MESSAGES: Record<string, string> = {
  PASSKEY_NOT_FOUND: 'That passkey is not registered with TaskMaster. Use another one, or sign in another way.',
  AUTHENTICATION_FAILED: 'That passkey could not be verified. Try again, or sign in another way.',
  PASSKEY_USER_VERIFICATION_REQUIRED:
    'Your passkey must check your PIN, fingerprint or face. Turn that on for the passkey and try again.',
  PASSKEY_STEP_UP_FAILED: 'That passkey could not be verified for this account. Use one of your own passkeys.',
  NO_PASSKEY: 'This account has no passkey yet.',
  CHALLENGE_NOT_FOUND: 'That took too long. Try again.',
  SESSION_EXPIRED: 'For your security, sign in again before adding a passkey.',
  SESSION_NOT_FRESH: 'For your security, sign in again before adding a passkey.',
  FAILED_TO_VERIFY_REGISTRATION: 'The passkey could not be added. Try again.',
  FRESH_SECOND_FACTOR_REQUIRED: 'Verify it is you first.',
};

const TOO_MANY = 'Too many attempts. Wait a moment and try again.';

async function failure(res: Response): Promise<PasskeyOutcome> {
  let code: string | undefined;
  let message: string | undefined;
  try {
    const body = (await res.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not JSON: fall through to the generic message.
  }
  if (res.status === 429) return { ok: false, code: 'RATE_LIMITED', message: TOO_MANY };
  const known = code ? SERVER_MESSAGES[code] : undefined;
  return {
    ok: false,
    ...(code ? { code } : {}),
    message: known ?? message ?? 'Something went wrong. Try again.',
  };
}

function browserFailure(error: unknown, action: 'create' | 'get'): PasskeyOutcome {
  if (error instanceof WebAuthnError) {
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
      return { ok: false, code: error.code, message: 'This passkey is already registered with your account.' };
    }
    if (error.code === 'ERROR_CEREMONY_ABORTED') {
      return { ok: false, code: error.code, message: 'Cancelled. Nothing changed.' };
    }
  }
  const name = error instanceof Error ? error.name : '';
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return {
      ok: false,
      code: 'CANCELLED',
      message:
        action === 'get'
          ? 'No passkey was used: the request was cancelled or timed out, or this device has no passkey for TaskMaster.'
          : 'No passkey was created: the request was cancelled or timed out.',
    };
  }
  return { ok: false, code: 'UNSUPPORTED', message: 'This browser could not use a passkey here.' };
}

async function getJson<T>(path: string): Promise<{ ok: true; data: T } | { ok: false; outcome: PasskeyOutcome }> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) return { ok: false, outcome: await failure(res) };
  return { ok: true, data: (await res.json()) as T };
}

async function postJson(path: string, body: unknown): Promise<PasskeyOutcome> {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return res.ok ? { ok: true } : failure(res);
}

/** Creates a passkey on this device for the signed-in person and registers it. */
export async function addPasskey(name: string): Promise<PasskeyOutcome> {
  const options = await getJson<PublicKeyCredentialCreationOptionsJSON>(
    `${BASE}/generate-register-options?${new URLSearchParams({ name })}`,
  );
  if (!options.ok) return options.outcome;
  let response;
  try {
    response = await startRegistration({ optionsJSON: options.data });
  } catch (error) {
    return browserFailure(error, 'create');
  }
  const { clientExtensionResults: _ignored, ...body } = response;
  return postJson(`${BASE}/verify-registration`, { response: body, name });
}

async function assertion(optionsPath: string, verifyPath: string, useBrowserAutofill = false): Promise<PasskeyOutcome> {
  const options = await getJson<PublicKeyCredentialRequestOptionsJSON>(optionsPath);
  if (!options.ok) return options.outcome;
  let response;
  try {
    response = await startAuthentication({ optionsJSON: options.data, useBrowserAutofill });
  } catch (error) {
    return browserFailure(error, 'get');
  }
  return postJson(verifyPath, { response });
}

/** Signs in with any passkey registered with TaskMaster (discoverable credentials). */
export function signInWithPasskey(): Promise<PasskeyOutcome> {
  return assertion(`${BASE}/generate-authenticate-options`, `${BASE}/verify-authentication`);
}

/** Verifies one of the signed-in person's passkeys: the session gets a fresh second factor. */
export function stepUpWithPasskey(): Promise<PasskeyOutcome> {
  return assertion(`${BASE}/step-up/options`, `${BASE}/step-up/verify`);
}
