import { describe, expect, it } from 'vitest';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem({ REGISTRATIONS_PER_IP_PER_HOUR: '3' });

describe('registrations from one address', () => {
  it('are limited: past the limit 429 with Retry-After, and no account is created', async () => {
    const register = (username: string) =>
      t.http.post('/v1/auth/register', {
        username,
        email: `${username}@example.com`,
        password: 'long enough pw',
      });
    for (let i = 0; i < 3; i++) expect((await register(uniqueName('reg'))).status).toBe(201);
    const username = uniqueName('reg');
    const refused = await register(username);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect((await t.http.post('/v1/auth/token', { username, password: 'long enough pw' })).status).toBe(401);
  });
});
