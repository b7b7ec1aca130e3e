import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';

/** WebAuthn authenticator-data flags (WebAuthn §6.1): user present, user verified, attested data. */
const USER_PRESENT = 0x01;
const USER_VERIFIED = 0x04;
const ATTESTED_CREDENTIAL_DATA = 0x40;

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest();

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

/** What the browser hands `navigator.credentials.create()`'s caller, as JSON (RegistrationResponseJSON). */
export interface RegistrationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform';
}

/** What `navigator.credentials.get()` answers, as JSON (AuthenticationResponseJSON). */
export interface AuthenticationResponse {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'platform';
}

/**
 * A WebAuthn authenticator in software: one ES256 credential, 'none' attestation, a signature counter
 * that advances on every assertion, as a platform authenticator would answer the browser.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16);
  /** The signature counter of the last assertion (0 at registration). */
  counter = 0;
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  constructor(
    readonly rpId: string,
    readonly origin: string,
  ) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  /** Answers registration options (their base64url `challenge`) with a fresh credential. */
  register(options: { challenge: string }): RegistrationResponse {
    const clientData = this.clientData('webauthn.create', options.challenge);
    const authData = Buffer.concat([
      sha256(this.rpId),
      Buffer.from([USER_PRESENT | USER_VERIFIED | ATTESTED_CREDENTIAL_DATA]),
      u32(0),
      Buffer.alloc(16), // AAGUID: none, as 'none' attestation allows
      u16(this.credentialId.length),
      this.credentialId,
      this.coseKey(),
    ]);
    const attestation = new Map<string, CBORType>([
      ['fmt', 'none'],
      ['attStmt', new Map<string, CBORType>()],
      ['authData', new Uint8Array(authData)],
    ]);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(encodeCBOR(attestation)),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * Answers authentication options with an assertion over the next counter value; `signWith` another
   * key forges a signature the registered public key does not verify.
   */
  authenticate(options: { challenge: string }, signWith?: KeyObject): AuthenticationResponse {
    this.counter += 1;
    const clientData = this.clientData('webauthn.get', options.challenge);
    const authData = Buffer.concat([
      sha256(this.rpId),
      Buffer.from([USER_PRESENT | USER_VERIFIED]),
      u32(this.counter),
    ]);
    // ES256 over authenticatorData ‖ SHA-256(clientDataJSON), DER-encoded as WebAuthn expects.
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientData)]),
      signWith ?? this.keys.privateKey,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** The public key as a COSE_Key: EC2 (kty 2), ES256 (alg -7), P-256 (crv 1), x and y. */
  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return encodeCBOR(
      new Map<number, CBORType>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
        [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
      ]),
    );
  }
}

/** A P-256 key no credential was registered with: its signatures must be refused. */
export function strangerKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}
