import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, JWK, jwtVerify, KeyLike, SignJWT } from 'jose';
import type { TokenClaims } from '../../model/trigger-admission';

export interface KeyPair {
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
}

// Generating a 2048-bit RSA key takes 100-500 ms of CPU, and the suites need a few. Each named pair is
// generated once and kept beside jest's cache (test keys only, never used outside tests); delete the
// folder for fresh ones. Parallel workers may both generate a missing pair: the rename is atomic, and
// each file uses the pair it got.
const KEY_DIR = join(__dirname, '..', '..', 'node_modules', '.cache', 'test-keys');

/** An RS256 signing key pair standing in for a tenant's token signing key ("another key": another name). */
export async function tenantKeys(name = 'tenant'): Promise<KeyPair> {
  const file = join(KEY_DIR, `${name}.json`);
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { privateKey: JWK; publicKey: JWK };
    return { privateKey: (await importJWK(saved.privateKey, 'RS256')) as KeyLike, publicKey: (await importJWK(saved.publicKey, 'RS256')) as KeyLike };
  } catch {
    const pair = await generateKeyPair('RS256', { extractable: true });
    mkdirSync(KEY_DIR, { recursive: true });
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, JSON.stringify({ privateKey: await exportJWK(pair.privateKey), publicKey: await exportJWK(pair.publicKey) }));
    renameSync(partial, file);
    return pair;
  }
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
