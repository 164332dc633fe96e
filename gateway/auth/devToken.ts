/**
 * Development bearer tokens: HS256 JWTs signed with a local secret (jose), for users when Privy is
 * not configured. `sub` is the user id. Production deployments set PRIVY_APP_ID instead.
 */
import { jwtVerify, SignJWT } from 'jose';
import type { DevJwtConfig } from '../config.ts';

export const DEV_JWT_DEFAULTS = { issuer: 'parlay-rfq-dev', audience: 'parlay-rfq' } as const;

const keyOf = (config: DevJwtConfig): Uint8Array => new TextEncoder().encode(config.secret);

export async function mintDevToken(
  config: DevJwtConfig,
  userId: string,
  ttlSeconds = 7 * 24 * 3600,
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyOf(config));
}

/** The user id of a valid token, or null (bad signature, expired, wrong issuer/audience, no subject). */
export async function verifyDevToken(config: DevJwtConfig, token: string): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, keyOf(config), {
      algorithms: ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
    });
    return typeof payload.sub === 'string' && payload.sub.length > 0 ? payload.sub : null;
  } catch {
    return null;
  }
}
