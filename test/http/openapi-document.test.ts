// Long because it drives good and bad requests through every operation of the document.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_BODY_LENGTH } from '../../src/domain/conversation/state.js';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: {
    content: Record<string, { schema: { properties?: Record<string, { maxLength?: number }> } }>;
  };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema?: unknown; example?: unknown }> }
  >;
}
type Document = { paths: Record<string, Record<string, Operation>> };
interface Observation {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** The statuses routes were seen answering that their operation does not document. */
export function undocumented(doc: Document, seen: readonly Observation[]): string[] {
  const missing = new Set<string>();
  for (const { method, path, status } of seen) {
    const operation = doc.paths[path]?.[method.toLowerCase()];
    if (!operation) missing.add(`${method} ${path}: no such operation`);
    else if (!(String(status) in operation.responses)) missing.add(`${method} ${path} ${status}`);
  }
  return [...missing].sort();
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

describe('the OpenAPI document', () => {
  it('names every operation and describes its answers, errors as problem documents', async () => {
    const doc = (await t.http.get<Document>('/openapi.json')).body;
    const ids = new Set<string>();
    for (const { path, method, operation } of operations(doc)) {
      const where = `${method} ${path}`;
      expect(operation.summary, where).toBeTruthy();
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(operation.operationId!), `${where}: operationId used twice`).toBe(false);
      ids.add(operation.operationId!);
      const statuses = Object.keys(operation.responses);
      expect(statuses.filter((status) => status.startsWith('2')).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.description, `${where} ${status}`).not.toBe('Default Response');
        if (status.startsWith('4')) {
          const media = response.content?.['application/problem+json'];
          expect(media?.schema, `${where} ${status}`).toMatchObject({
            required: ['type', 'title', 'status', 'detail'],
          });
          expect(media?.example, `${where} ${status}`).toMatchObject({ status: Number(status) });
        }
        if (status === '204') expect(response.content, `${where} 204 has no body`).toBeUndefined();
      }
      const signedIn = '401' in operation.responses;
      if (method === 'GET' && signedIn) {
        expect(
          operation.parameters?.some((p) => p.in === 'header' && p.name === 'x-min-position'),
          `${where} takes X-Min-Position`,
        ).toBe(true);
      }
    }
    const token = doc.paths['/v1/auth/token']!.post!;
    expect(Object.keys(token.requestBody!.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    const send = doc.paths['/v1/messages']!.post!;
    expect(send.requestBody!.content['application/json']!.schema.properties!.body!.maxLength).toBe(
      MAX_BODY_LENGTH,
    );
  });

  it('is readable in ReDoc at /redoc, served from this server (no CDN), beside Swagger UI', async () => {
    const base = `http://127.0.0.1:${t.system.httpPort}`;
    const page = await fetch(`${base}/redoc`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('spec-url="/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    const bundle = await fetch(`${base}/redoc/redoc.standalone.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${base}/docs`)).status).toBe(200);
  });

  it('finds a status a route answers that its operation leaves out', async () => {
    const doc = (await t.http.get<Document>('/openapi.json')).body;
    const seen = [{ method: 'POST', path: '/v1/messages', status: 403 }];
    expect(undocumented(doc, seen)).toEqual([]);
    delete doc.paths['/v1/messages']!.post!.responses['403'];
    expect(undocumented(doc, seen)).toEqual(['POST /v1/messages 403']);
  });

  it('documents every status the routes answer, for good and for bad requests', async () => {
    const doc = (await t.http.get<Document>('/openapi.json')).body;
    const base = `http://127.0.0.1:${t.system.httpPort}`;
    const seen: Observation[] = [];
    /** Calls `path` (a template, its parameters given) and records the status for the template. */
    const call = async (
      method: string,
      template: string,
      options: {
        params?: Record<string, string>;
        token?: string;
        body?: unknown;
        raw?: string;
        type?: string;
        query?: string;
        headers?: Record<string, string>;
      } = {},
    ) => {
      const path = template.replace(
        /\{(\w+)\}/g,
        (_, name: string) => options.params?.[name] ?? randomUUID(),
      );
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body = options.raw;
      if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = options.type ?? 'application/json';
      const response = await fetch(`${base}${path}${options.query ?? ''}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      seen.push({ method, path: template, status: response.status });
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : undefined) as Record<string, string>,
      };
    };

    const alice = await signUp(t.http, uniqueName('doc_a'));
    const bob = await signUp(t.http, uniqueName('doc_b'));
    const carol = await signUp(t.http, uniqueName('doc_c'));
    const head = async () => (await t.system.store.headPosition()).toString();

    // Every operation, signed in or not, with the inputs a careless or hostile client sends.
    const big = JSON.stringify({ body: 'x'.repeat(70 * 1024) });
    for (const { path, method } of operations(doc)) {
      await call(method, path, {});
      await call(method, path, { token: 'not-a-token' });
      await call(method, path, { token: alice.token, query: '?limit=%00' });
      await call(method, path, { token: alice.token, headers: { 'x-min-position': 'soon' } });
      await call(method, path, { token: alice.token, headers: { 'x-min-position': '99999999999' } });
      await call(method, path, { token: alice.token, params: { userId: 'x', conversationId: 'x' } });
      if (method !== 'GET') {
        await call(method, path, { token: alice.token, raw: '{"unterminated": ' });
        await call(method, path, { token: alice.token, raw: '<hello/>', type: 'application/xml' });
        await call(method, path, { token: alice.token, raw: big });
        await call(method, path, { token: alice.token, body: { [randomUUID()]: 1 } });
      }
    }

    // Accounts.
    const password = 'correct horse battery';
    const dave = uniqueName('doc_d');
    await call('POST', '/v1/auth/register', {
      body: { username: dave, email: `${dave}@example.com`, password },
    });
    await call('POST', '/v1/auth/register', {
      body: { username: alice.username, email: 'other@example.com', password },
    });
    const login = await call('POST', '/v1/auth/token', {
      raw: new URLSearchParams({ username: bob.username, password }).toString(),
      type: 'application/x-www-form-urlencoded',
    });
    await call('POST', '/v1/auth/token', { body: { username: bob.username, password: 'wrong password' } });
    const refreshed = await call('POST', '/v1/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    await call('POST', '/v1/auth/refresh', { body: { refresh_token: 'x.y' } });
    await call('POST', '/v1/auth/logout', { body: { refresh_token: refreshed.body.refresh_token } });
    await call('POST', '/v1/auth/verify-email', {
      body: { email: `${bob.username}@example.com`, code: '000000' },
    });
    await call('POST', '/v1/auth/resend-verification', { body: { email: `${bob.username}@example.com` } });
    await call('GET', '/v1/auth/verify', { token: bob.token });
    await call('GET', '/v1/me', { token: bob.token, headers: { 'x-min-position': await head() } });
    await call('PATCH', '/v1/me', { token: bob.token, body: { displayName: 'Bob' } });
    await call('PATCH', '/v1/me', { token: bob.token, body: { displayName: '   ' } });
    await call('GET', '/v1/users', { token: bob.token, query: `?query=doc_` });

    // Contacts and blocks.
    await call('POST', '/v1/contacts', { token: alice.token, body: { username: bob.username } });
    await call('POST', '/v1/contacts', { token: alice.token, body: { username: bob.username } });
    await call('POST', '/v1/contacts', { token: alice.token, body: { username: alice.username } });
    await call('POST', '/v1/contacts', { token: alice.token, body: { username: 'nobody_at_all' } });
    await call('GET', '/v1/contacts', { token: alice.token, headers: { 'x-min-position': await head() } });
    await call('DELETE', '/v1/contacts/{userId}', { token: alice.token, params: { userId: carol.userId } });
    await call('DELETE', '/v1/contacts/{userId}', { token: alice.token, params: { userId: bob.userId } });
    await call('POST', '/v1/blocks', { token: carol.token, body: { userId: alice.userId } });
    await call('POST', '/v1/blocks', { token: carol.token, body: { userId: carol.userId } });
    await call('POST', '/v1/blocks', { token: carol.token, body: { userId: randomUUID() } });

    // Messages and conversations.
    const sent = await call('POST', '/v1/messages', {
      token: alice.token,
      body: { to: bob.username, body: 'hi' },
    });
    await call('POST', '/v1/messages', { token: alice.token, body: { to: carol.username, body: 'hi' } });
    await call('POST', '/v1/messages', { token: alice.token, body: { to: 'nobody_at_all', body: 'hi' } });
    await call('POST', '/v1/messages', { token: alice.token, body: { to: alice.username, body: 'hi' } });
    await call('POST', '/v1/messages', { token: alice.token, body: { to: bob.username, body: '   ' } });
    await call('DELETE', '/v1/blocks/{userId}', { token: carol.token, params: { userId: alice.userId } });
    const direct = { conversationId: sent.body.conversationId!, messageId: sent.body.messageId! };
    const group = await call('POST', '/v1/conversations', {
      token: alice.token,
      body: { title: 'docs', memberIds: [bob.userId] },
    });
    await call('POST', '/v1/conversations', {
      token: alice.token,
      body: { title: 'x', memberIds: [randomUUID()] },
    });
    const inGroup = { conversationId: group.body.conversationId! };
    for (const [token, params] of [
      [alice.token, inGroup],
      [carol.token, inGroup],
      [alice.token, direct],
      [alice.token, {}],
    ] as const) {
      await call('POST', '/v1/conversations/{conversationId}/messages', {
        token,
        params,
        body: { body: 'yo' },
      });
      await call('GET', '/v1/conversations/{conversationId}/messages', { token, params, query: '?limit=2' });
      await call('GET', '/v1/conversations/{conversationId}', {
        token,
        params,
        headers: { 'x-min-position': await head() },
      });
      await call('POST', '/v1/conversations/{conversationId}/members', {
        token,
        params,
        body: { userId: carol.userId },
      });
      await call('DELETE', '/v1/conversations/{conversationId}/members/{userId}', {
        token,
        params: { ...params, userId: carol.userId },
      });
      await call('POST', '/v1/conversations/{conversationId}/read', {
        token,
        params,
        body: { messageId: direct.messageId },
      });
      for (const method of ['PATCH', 'DELETE']) {
        await call(method, '/v1/conversations/{conversationId}/messages/{messageId}', {
          token,
          params: { messageId: direct.messageId, ...params },
          ...(method === 'PATCH' ? { body: { body: 'edited' } } : {}),
        });
      }
    }
    await call('PATCH', '/v1/conversations/{conversationId}/messages/{messageId}', {
      token: bob.token,
      params: direct,
      body: { body: 'not mine' },
    });
    await call('GET', '/v1/conversations', { token: alice.token, query: '?limit=1' });
    // Passwords, export and erasure.
    await call('POST', '/v1/auth/password-reset', { body: { email: `${bob.username}@example.com` } });
    await call('POST', '/v1/auth/password-reset/confirm', {
      body: { email: `${bob.username}@example.com`, code: '000000', newPassword: 'another-long-password' },
    });
    await call('POST', '/v1/me/password', {
      token: carol.token,
      body: { currentPassword: 'not the password', newPassword: 'another-long-password' },
    });
    await call('POST', '/v1/me/password', {
      token: carol.token,
      body: { currentPassword: password, newPassword: 'another-long-password' },
    });
    await call('GET', '/v1/me/export', { token: alice.token, headers: { 'x-min-position': await head() } });
    await call('DELETE', '/v1/me', { token: carol.token, body: { password: 'not the password' } });
    await call('DELETE', '/v1/me', { token: carol.token, body: { password: 'another-long-password' } });
    await call('GET', '/health/live');
    await call('GET', '/health/ready');

    expect(undocumented(doc, seen)).toEqual([]);
    // The scenario reached the answers it meant to, so the check above had something to check.
    const statuses = new Set(seen.map((s) => s.status));
    for (const status of [200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 415])
      expect(statuses).toContain(status);
    // (Codes travel by mail: test/accounts/email-verification.test.ts and passwords.test.ts cover the successes.)
    const byMail = new Set(['/v1/auth/verify-email', '/v1/auth/password-reset/confirm']);
    for (const { path, method } of operations(doc).filter((o) => !byMail.has(o.path))) {
      expect(
        seen.some((s) => s.path === path && s.method === method && s.status < 300),
        `${method} ${path} succeeded once`,
      ).toBe(true);
    }
  }, 120_000);
});
