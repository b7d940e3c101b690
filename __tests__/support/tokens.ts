import { decodeJwt, generateKeyPair, jwtVerify, KeyLike, SignJWT } from 'jose';
import type { TokenClaims } from '../../tools/token-eval';

/** An RS256 signing key pair standing in for a tenant's token signing key. */
export async function tenantKeys() {
  return generateKeyPair('RS256', { extractable: true });
}

/** Mints an RS256 JWT shaped like an Entra access token (header kid + typ as Entra sends them). */
export async function mintToken(claims: TokenClaims, privateKey: KeyLike, kid = 'test-key-1'): Promise<string> {
  return new SignJWT({ ...claims } as Record<string, unknown>)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .sign(privateKey);
}

/** Verifies the signature and returns the claims, as a receiver does before comparing claims. */
export async function verifiedClaims(token: string, publicKey: KeyLike): Promise<TokenClaims> {
  const { payload } = await jwtVerify(token, publicKey, { currentDate: new Date(1700000100 * 1000) });
  return payload;
}

export { decodeJwt };
