import { describe, expect, it } from 'vitest';
import { createTokenService, InvalidTokenError } from './tokens.js';

const SECRET = 'a-secret-for-the-token-unit-tests-0123456789';

describe('access tokens', () => {
  it('verifies a token, again from memory, and refuses it once expired', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const tokens = createTokenService({ secret: SECRET, accessTokenTtlSeconds: 60, now: () => clock });
    const { token } = await tokens.issueAccessToken({ userId: 'u1', username: 'ada' });
    const claims = await tokens.verifyAccessToken(token);
    expect(claims).toMatchObject({ userId: 'u1', username: 'ada' });
    expect(await tokens.verifyAccessToken(token)).toBe(claims);
    clock += 61_000;
    await expect(tokens.verifyAccessToken(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('refuses a token signed with another secret or altered', async () => {
    const tokens = createTokenService({ secret: SECRET, accessTokenTtlSeconds: 60 });
    const other = createTokenService({ secret: `${SECRET}-other`, accessTokenTtlSeconds: 60 });
    const { token } = await other.issueAccessToken({ userId: 'u1', username: 'ada' });
    await expect(tokens.verifyAccessToken(token)).rejects.toBeInstanceOf(InvalidTokenError);
    const own = (await tokens.issueAccessToken({ userId: 'u1', username: 'ada' })).token;
    await tokens.verifyAccessToken(own);
    const [header, , signature] = own.split('.');
    const forged = `${header}.${Buffer.from('{"sub":"u2","username":"eve","exp":9999999999}').toString('base64url')}.${signature}`;
    await expect(tokens.verifyAccessToken(forged)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('verifies synchronously exactly what it verifies asynchronously', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const tokens = createTokenService({ secret: SECRET, accessTokenTtlSeconds: 60, now: () => clock });
    const fresh = createTokenService({ secret: SECRET, accessTokenTtlSeconds: 60, now: () => clock });
    const other = createTokenService({ secret: `${SECRET}-other`, accessTokenTtlSeconds: 60 });
    const { token } = await tokens.issueAccessToken({ userId: 'u1', username: 'ada' });
    expect(fresh.verifyAccessTokenNow(token)).toEqual(await tokens.verifyAccessToken(token));
    // The session a token names, too (the socket of a session that ends is closed by it).
    const named = (await tokens.issueAccessToken({ userId: 'u1', username: 'ada' }, 'session-1')).token;
    expect(fresh.verifyAccessTokenNow(named)).toEqual(await tokens.verifyAccessToken(named));
    expect(fresh.verifyAccessTokenNow(named).sessionId).toBe('session-1');
    const foreign = (await other.issueAccessToken({ userId: 'u1', username: 'ada' })).token;
    expect(() => fresh.verifyAccessTokenNow(foreign)).toThrow(InvalidTokenError);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from('{"sub":"u2","username":"eve","exp":9999999999}').toString('base64url')}.${signature}`;
    expect(() => fresh.verifyAccessTokenNow(forged)).toThrow(InvalidTokenError);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${token.split('.')[1]}.`;
    expect(() => fresh.verifyAccessTokenNow(none)).toThrow(InvalidTokenError);
    expect(() => fresh.verifyAccessTokenNow('not.a.token')).toThrow(InvalidTokenError);
    clock += 61_000;
    expect(() => fresh.verifyAccessTokenNow(token)).toThrow(InvalidTokenError);
  });
});
