import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../src/platform/tokens.js';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { createHarness, realtimeUrl, TEST_SECRET, type Harness } from './support/harness.js';
import { refusedUpgrade, TestClient } from '../support/ws-client.js';

describe('realtime handshake', () => {
  let harness: Harness;
  let server: RealtimeServer;
  let token: string;

  beforeAll(async () => {
    harness = await createHarness();
    server = await harness.startServer();
    token = await harness.tokenFor('11111111-1111-4111-8111-111111111111');
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  const expectUnauthorized = async (url: string, headers: Record<string, string> = {}) => {
    const answer = await refusedUpgrade(url, headers);
    expect(answer.status).toBe(401);
    expect(answer.contentType).toBe('application/problem+json');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 401 });
  };

  it('refuses an upgrade without a token with 401', async () => {
    await expectUnauthorized(realtimeUrl(server.port));
    await expectUnauthorized(realtimeUrl(server.port, { access_token: '' }));
  });

  it('refuses a bad token in the query or in the Authorization header with 401', async () => {
    await expectUnauthorized(realtimeUrl(server.port, { access_token: 'not-a-jwt' }));
    await expectUnauthorized(realtimeUrl(server.port, { access_token: `${token}x` }));
    await expectUnauthorized(realtimeUrl(server.port), { authorization: 'Bearer not-a-jwt' });
    await expectUnauthorized(realtimeUrl(server.port), { authorization: `Basic ${token}` });
    // A header, when present, is the credential: a valid query token does not rescue a bad header.
    await expectUnauthorized(realtimeUrl(server.port, { access_token: token }), {
      authorization: 'Bearer nope',
    });
  });

  it('refuses a token signed with another secret or already expired with 401', async () => {
    const foreign = createTokenService({ secret: `${TEST_SECRET}-other`, accessTokenTtlSeconds: 3600 });
    const foreignToken = (await foreign.issueAccessToken({ userId: 'u1', username: 'u1' })).token;
    await expectUnauthorized(realtimeUrl(server.port, { access_token: foreignToken }));

    const past = createTokenService({
      secret: TEST_SECRET,
      accessTokenTtlSeconds: 60,
      now: () => Date.now() - 120_000,
    });
    const expired = (await past.issueAccessToken({ userId: 'u1', username: 'u1' })).token;
    await expectUnauthorized(realtimeUrl(server.port, { access_token: expired }));
    await expectUnauthorized(realtimeUrl(server.port), { authorization: `Bearer ${expired}` });
  });

  it('accepts a valid token in the query or in the Authorization header', async () => {
    const byQuery = await TestClient.open(realtimeUrl(server.port, { access_token: token }));
    const byHeader = await TestClient.open(realtimeUrl(server.port), { authorization: `Bearer ${token}` });
    await Promise.all([byQuery.close(), byHeader.close()]);
  });

  it.each(['abc', '-1', '1.5', '', ' 1', '0x10', '1e3'])('refuses since=%j with 400', async (since) => {
    const answer = await refusedUpgrade(realtimeUrl(server.port, { access_token: token, since }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 400 });
  });

  it('answers 404 on any other path, upgrade or not, and 426 to a plain GET of the endpoint', async () => {
    const answer = await refusedUpgrade(realtimeUrl(server.port, { access_token: token }, '/v1/other'));
    expect(answer.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/v1/realtime`)).status).toBe(426);
  });
});
