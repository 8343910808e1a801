import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { allProjections } from '../../src/projections/all-projections.js';
import { rebuildProjection } from '../../src/projections/rebuild.js';
import { signUp, type HttpClient } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();
const password = 'correct horse battery';

/** Every base table of the database, every column cast to text with the row: where each needle is found. */
async function scan(url: string, needles: readonly string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining([
        'public.messages',
        'public.users',
        'public.conversations',
        'public.personal_data_keys',
      ]),
    );
    expect(tables.some((table) => /events/.test(table.name))).toBe(true);
    const found: string[] = [];
    for (const { name } of tables) {
      for (const needle of needles) {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${name} AS t WHERE strpos(t::text, $1) > 0`,
          [needle],
        );
        if (Number(rows[0]!.n) > 0) found.push(`${needle} in ${name}`);
      }
    }
    return found;
  } finally {
    await client.end();
  }
}

type History = { items: { messageId: string; senderId: string; body: string | null; deleted: boolean }[] };

const history = (http: HttpClient, token: string, conversationId: string, position: string) =>
  http.get<History>(`/v1/conversations/${conversationId}/messages?limit=200`, {
    token,
    headers: { 'x-min-position': position },
  });

describe('erasure by design', () => {
  it('leaves no plaintext of an erased account or a deleted message in the log or any read model, even after a rebuild', async () => {
    const { http } = t;
    const tag = Math.random().toString(36).slice(2, 10);
    const aliceName = uniqueName('alice');
    const aliceEmail = `${aliceName}@example.com`;
    const aliceDisplay = `Alice Display ${tag}`;
    const registered = await http.post('/v1/auth/register', {
      username: aliceName,
      email: aliceEmail,
      password,
      displayName: aliceDisplay,
    });
    expect(registered.status).toBe(201);
    const aliceLogin = await http.post('/v1/auth/token', { username: aliceName, password });
    const alice = {
      userId: registered.body.userId as string,
      token: aliceLogin.body.access_token as string,
      refreshToken: aliceLogin.body.refresh_token as string,
    };
    const bob = await signUp(http, uniqueName('bob'));

    const aliceBodies = [`alice first ${tag}`, `alice second ${tag}`];
    const editedBody = `alice edited ${tag}`;
    const bobDeletedBody = `bob regrets ${tag}`;
    const bobKeptBody = `bob keeps ${tag}`;

    const first = await http.post(
      '/v1/messages',
      { to: bob.username, body: aliceBodies[0] },
      { token: alice.token },
    );
    expect(first.status).toBe(201);
    const conversationId = first.body.conversationId as string;
    await http.post('/v1/messages', { to: bob.username, body: aliceBodies[1] }, { token: alice.token });
    const edited = await http.request(
      'PATCH',
      `/v1/conversations/${conversationId}/messages/${first.body.messageId}`,
      {
        token: alice.token,
        body: { body: editedBody },
      },
    );
    expect(edited.status).toBe(200);
    const regret = await http.post(
      '/v1/messages',
      { to: aliceName, body: bobDeletedBody },
      { token: bob.token },
    );
    const kept = await http.post('/v1/messages', { to: aliceName, body: bobKeptBody }, { token: bob.token });
    expect(kept.status).toBe(201);

    const deleted = await http.delete(
      `/v1/conversations/${conversationId}/messages/${regret.body.messageId}`,
      {
        token: bob.token,
      },
    );
    expect(deleted.status).toBe(200);

    const wrong = await http.request('DELETE', '/v1/me', {
      token: alice.token,
      body: { password: 'not it at all' },
    });
    expect(wrong.status).toBe(401);
    const erased = await http.request('DELETE', '/v1/me', { token: alice.token, body: { password } });
    expect(erased.status).toBe(204);
    const position = erased.headers.get('x-position')!;
    expect(position).toMatch(/^\d+$/);

    // The account is gone for every door.
    expect((await http.get('/v1/me', { token: alice.token })).status).toBe(401);
    expect((await http.post('/v1/auth/token', { username: aliceName, password })).status).toBe(401);
    expect((await http.post('/v1/auth/token', { username: aliceEmail, password })).status).toBe(401);
    expect((await http.post('/v1/auth/refresh', { refresh_token: alice.refreshToken })).status).toBe(401);

    // Bob's history shows Alice's messages and his deleted one as deleted, his kept one as it is.
    const seen = await history(http, bob.token, conversationId, position);
    expect(seen.status).toBe(200);
    const byBody = (body: string) => seen.body.items.filter((item) => item.body === body);
    expect(byBody(bobKeptBody)).toHaveLength(1);
    const aliceMessages = seen.body.items.filter((item) => item.senderId === alice.userId);
    expect(aliceMessages).toHaveLength(2);
    for (const message of aliceMessages) expect(message).toMatchObject({ deleted: true, body: null });
    expect(seen.body.items.find((item) => item.messageId === regret.body.messageId)).toMatchObject({
      deleted: true,
      body: null,
    });

    const needles = [aliceEmail, aliceDisplay, ...aliceBodies, editedBody, bobDeletedBody];
    expect(await scan(t.db.url, needles)).toEqual([]);
    // The scan can find what is there: the kept body (history), the username (kept on purpose).
    expect(await scan(t.db.url, [bobKeptBody])).toContain(`${bobKeptBody} in public.messages`);
    expect((await scan(t.db.url, [aliceName])).some((hit) => /events/.test(hit))).toBe(true);

    // A rebuild by replay, after the keys are destroyed, converges on the same erased state.
    for (const projection of allProjections) {
      await rebuildProjection(projection, { store: t.system.store, pool: t.system.pool });
    }
    expect(await scan(t.db.url, needles)).toEqual([]);
    const replayed = await history(http, bob.token, conversationId, position);
    expect(replayed.body.items).toEqual(seen.body.items);

    // The username stays reserved; the email is free for its owner to sign up again.
    const taken = await http.post('/v1/auth/register', {
      username: aliceName,
      email: `x${aliceEmail}`,
      password,
    });
    expect(taken.status).toBe(409);
    const again = await http.post('/v1/auth/register', {
      username: uniqueName('alice2'),
      email: aliceEmail,
      password,
    });
    expect(again.status).toBe(201);
  });
});
