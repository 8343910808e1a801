import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';

const ALLOWED = 'https://chat.example.com';
const t = useTestSystem({ CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });
const t0 = useTestSystem();

const preflight = (port: number | undefined, origin: string) =>
  fetch(`http://127.0.0.1:${port}/v1/conversations/00000000-0000-4000-8000-000000000000/messages/x`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'PATCH',
      'access-control-request-headers': 'authorization, content-type, x-min-position',
    },
  });

describe('CORS (CORS_ORIGINS)', () => {
  it('answers a preflight from an allowed origin with the methods and headers a client needs', async () => {
    const response = await preflight(t.system.httpPort, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-min-position');
  });

  it('lets an allowed origin read answers and their position header, but not another origin', async () => {
    const user = await signUp(t.http, uniqueName('cors'));
    const allowed = await fetch(`http://127.0.0.1:${t.system.httpPort}/v1/contacts`, {
      headers: { origin: 'http://localhost:5173', authorization: `Bearer ${user.token}` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-position');

    const other = await preflight(t.system.httpPort, 'https://evil.example.net');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows no other origin by default', async () => {
    const response = await preflight(t0.system.httpPort, ALLOWED);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.status).toBe(404);
  });
});
