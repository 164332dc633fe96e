/**
 * Kalshi API-key signing: RSA-PSS (SHA-256, salt length = digest length) over
 * `timestamp + METHOD + path`, where path is the URL path without the query and with the
 * `/trade-api/v2` prefix (docs.kalshi.com, "Quick start: authenticated requests"). The private key
 * stays inside a KeyObject; nothing here logs or returns it.
 */
import { constants, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export interface KalshiAuthHeaders {
  'KALSHI-ACCESS-KEY': string;
  'KALSHI-ACCESS-SIGNATURE': string;
  'KALSHI-ACCESS-TIMESTAMP': string;
}

export interface KalshiSigner {
  readonly keyId: string;
  headers(method: string, path: string, timestampMs: number): KalshiAuthHeaders;
}

/** The exact bytes Kalshi verifies. Exported so the simulator and tests verify the same message. */
export const signingMessage = (timestampMs: number, method: string, path: string): string =>
  `${timestampMs}${method.toUpperCase()}${path.split('?', 1)[0]}`;

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

export function createKalshiSigner(keyId: string, privateKeyPem: string): KalshiSigner {
  // Parsing once up front turns a bad PEM into a boot error instead of a failure on the first request.
  const key: KeyObject = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('Kalshi signing needs an RSA private key');
  return {
    keyId,
    headers(method, path, timestampMs) {
      const message = signingMessage(timestampMs, method, path);
      const signature = sign('sha256', Buffer.from(message), { key, ...PSS }).toString('base64');
      return {
        'KALSHI-ACCESS-KEY': keyId,
        'KALSHI-ACCESS-SIGNATURE': signature,
        'KALSHI-ACCESS-TIMESTAMP': String(timestampMs),
      };
    },
  };
}

/** Checks a signature the way Kalshi does (used by the simulator when it requires auth). */
export function verifyKalshiSignature(
  publicKeyPem: string,
  method: string,
  path: string,
  timestampMs: string,
  signatureBase64: string,
): boolean {
  const key = createPublicKey(publicKeyPem);
  return verify(
    'sha256',
    Buffer.from(`${timestampMs}${method.toUpperCase()}${path.split('?', 1)[0]}`),
    { key, ...PSS },
    Buffer.from(signatureBase64, 'base64'),
  );
}
