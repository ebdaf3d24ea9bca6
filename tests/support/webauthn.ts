// A software WebAuthn authenticator (ES256, "none" attestation) for integration tests: it
// makes the same registration and assertion responses a browser hands to
// @simplewebauthn/browser, so the server's real verification runs over HTTP without a
// browser. Flags can be tweaked to produce assertions a server must refuse.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** CBOR byte string / text string header (major type 2 or 3) for short values. */
function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 256) return Buffer.from([(major << 5) | 24, length]);
  return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
}
const cborText = (s: string) => Buffer.concat([cborHead(3, Buffer.byteLength(s)), Buffer.from(s)]);
const cborBytes = (b: Uint8Array) => Buffer.concat([cborHead(2, b.length), Buffer.from(b)]);

export type SoftAuthenticatorOptions = { rpId: string; origin: string };

export class SoftAuthenticator {
  readonly credentialId = randomBytes(32);
  readonly rpId: string;
  readonly origin: string;
  #privateKey: KeyObject;
  #publicKey: KeyObject;
  #counter = 0;

  constructor({ rpId, origin }: SoftAuthenticatorOptions) {
    this.rpId = rpId;
    this.origin = origin;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The credential public key as a COSE_Key (EC2, ES256): what servers store. */
  coseKey(): Buffer {
    const jwk = this.#publicKey.export({ format: 'jwk' });
    const x = Buffer.from(jwk.x!, 'base64url');
    const y = Buffer.from(jwk.y!, 'base64url');
    // {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}
    return Buffer.concat([
      Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]),
      cborBytes(x),
      Buffer.from([0x22]),
      cborBytes(y),
    ]);
  }

  #authData(flags: number, attested: boolean): Buffer {
    const rpIdHash = createHash('sha256').update(this.rpId).digest();
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.#counter);
    const parts: Buffer[] = [rpIdHash, Buffer.from([flags]), counter];
    if (attested) {
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), idLength, this.credentialId, this.coseKey());
    }
    return Buffer.concat(parts);
  }

  #clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** A registration response (navigator.credentials.create) for `challenge`. */
  register(challenge: string, opts: { userVerified?: boolean } = {}) {
    const clientDataJSON = this.#clientData('webauthn.create', challenge);
    const authData = this.#authData(opts.userVerified === false ? 0x41 : 0x45, true); // UP (| UV) | AT
    const attestationObject = Buffer.concat([
      Buffer.from([0xa3]),
      cborText('fmt'),
      cborText('none'),
      cborText('attStmt'),
      Buffer.from([0xa0]),
      cborText('authData'),
      cborBytes(authData),
    ]);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /**
   * An assertion response (navigator.credentials.get) for `challenge`. `userVerified:
   * false` leaves the UV flag unset; `origin` and `tamper` forge what a server must refuse.
   */
  assert(challenge: string, opts: { userVerified?: boolean; origin?: string; tamper?: boolean } = {}) {
    this.#counter += 1;
    const flags = opts.userVerified === false ? 0x01 : 0x05;
    const authData = this.#authData(flags, false);
    const clientDataJSON = this.#clientData('webauthn.get', challenge, opts.origin);
    const signed = Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]);
    let signature = sign('sha256', signed, this.#privateKey);
    if (opts.tamper) {
      signature = Buffer.from(signature);
      signature[signature.length - 1] = signature[signature.length - 1]! ^ 0xff;
    }
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
      },
      clientExtensionResults: {},
    };
  }
}
