import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

const HOSTILE_SEGMENTS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%00',
  'x'.repeat(300),
  "1'--",
];
const HOSTILE_BODIES: { raw: string; contentType: string }[] = [
  { raw: '{"unterminated": ', contentType: 'application/json' },
  { raw: '[]', contentType: 'application/json' },
  { raw: 'null', contentType: 'application/json' },
  {
    raw: '{"body": 12, "to": {"$ne": null}, "userId": [], "title": null, "memberIds": "x"}',
    contentType: 'application/json',
  },
  { raw: JSON.stringify({ body: 'x'.repeat(70_000) }), contentType: 'application/json' },
  { raw: '<xml/>', contentType: 'application/xml' },
  { raw: 'username=&password=', contentType: 'application/x-www-form-urlencoded' },
];
const HOSTILE_QUERIES = [
  '?limit=-1',
  '?limit=abc',
  '?cursor=99999999999999999999999',
  '?before=-5',
  '?query=%25%5F%5C',
];

describe('no input produces a 5xx', () => {
  it('every route of the OpenAPI document answers hostile input with a 4xx problem', async () => {
    const user = await signUp(t.http, uniqueName('fuzz'));
    const doc = await t.http.get<{ paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    const routes = Object.entries(doc.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
    );
    expect(routes.length).toBeGreaterThan(25);
    const failures: string[] = [];
    for (const { path, method } of routes) {
      for (const segment of HOSTILE_SEGMENTS) {
        const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(segment));
        const bodies = method === 'GET' || method === 'DELETE' ? [undefined] : HOSTILE_BODIES;
        const queries = method === 'GET' ? HOSTILE_QUERIES : [''];
        for (const body of bodies) {
          for (const query of queries) {
            for (const token of [user.token, undefined]) {
              const headers: Record<string, string> = {};
              if (body) headers['content-type'] = body.contentType;
              const response = await t.http
                .request(method, `${url}${query}`, {
                  ...(token ? { token } : {}),
                  headers,
                  ...(body ? { raw: body.raw } : {}),
                })
                .catch((error: Error) => ({ status: 599, headers: new Headers(), body: error.message }));
              const label = `${method} ${url}${query} ${body?.raw.slice(0, 30) ?? ''} ${token ? 'auth' : 'anon'}`;
              if (response.status >= 500) failures.push(`${label} → ${response.status}`);
              else if (
                response.status >= 400 &&
                !PROBLEM_JSON.test(response.headers.get('content-type') ?? '')
              ) {
                failures.push(`${label} → ${response.status} without problem+json`);
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
