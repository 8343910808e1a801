import pg from 'pg';
import type { LogStore, LoggedEvent } from '../../src/log.js';
import { inTransaction } from '../../src/platform/transactions.js';
import { applyPast } from '../../src/projections/apply-batch.js';
import type { Projection } from '../../src/read-models/projection.js';
import { migrateReadModels } from '../../src/read-models/migrations.js';
import { signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase } from '../support/postgres.js';

/** Every row of the projection's tables, as sorted JSON text per table. */
export async function tableRows(pool: pg.Pool, projection: Projection): Promise<string[][]> {
  return Promise.all(
    projection.tables.map(async (table) => {
      const { rows } = await pool.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM ${table} t`,
      );
      return rows.map((row) => row.row).sort();
    }),
  );
}

/** The projection's rows after replaying the whole log at once into a fresh database. */
export async function freshReplay(store: LogStore, projection: Projection): Promise<string[][]> {
  const fresh = await createTestDatabase('rebuild_fresh');
  const pool = new pg.Pool({ connectionString: fresh.url, max: 1 });
  try {
    await migrateReadModels(pool);
    const events: LoggedEvent[] = [];
    for (;;) {
      const batch = await store.readAll({ after: events.at(-1)?.position ?? 0n, maxCount: 1000 });
      if (batch.length === 0) break;
      events.push(...batch);
    }
    await inTransaction(pool, (client) => applyPast(client, projection, 0n, events));
    return await tableRows(pool, projection);
  } finally {
    await pool.end();
    await fresh.drop();
  }
}

/** The rebuild schemas left in the database (shadows of interrupted rebuilds, retired tables). */
export async function rebuildSchemas(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'rebuild\\_%' OR nspname LIKE 'retired\\_%'",
  );
  return rows.map((row) => row.name).sort();
}

/**
 * A log of some size and variety, written through the API: three users, a direct conversation,
 * a group with edits, deletes, a read marker and a member removed.
 */
export async function chatHistory(http: HttpClient, prefix: string) {
  const [ada, bob, cat] = [
    await signUp(http, `${prefix}_ada`),
    await signUp(http, `${prefix}_bob`),
    await signUp(http, `${prefix}_cat`),
  ];
  let direct = '';
  for (let i = 1; i <= 30; i++) {
    const sent = await http.post(
      '/v1/messages',
      { to: bob.username, body: `direct ${i}` },
      { token: ada.token },
    );
    if (sent.status !== 201) throw new Error(`send: ${sent.status}`);
    direct = sent.body.conversationId as string;
  }
  const group = await http.post(
    '/v1/conversations',
    { title: 'rebuild', memberIds: [bob.userId, cat.userId] },
    { token: ada.token },
  );
  const groupId = group.body.conversationId as string;
  const sent: string[] = [];
  for (let i = 1; i <= 30; i++) {
    const sender = [ada, bob, cat][i % 3]!;
    const message = await http.post(
      `/v1/conversations/${groupId}/messages`,
      { body: `group ${i}` },
      { token: sender.token },
    );
    if (message.status !== 201) throw new Error(`group send: ${message.status}`);
    sent.push(message.body.messageId as string);
  }
  // Messages 3, 6, 9 are ada's (i % 3 === 0): edit two, delete one.
  await http.request('PATCH', `/v1/conversations/${groupId}/messages/${sent[2]}`, {
    body: { body: 'group 3, edited' },
    token: ada.token,
  });
  await http.request('PATCH', `/v1/conversations/${groupId}/messages/${sent[5]}`, {
    body: { body: 'group 6, edited' },
    token: ada.token,
  });
  await http.delete(`/v1/conversations/${groupId}/messages/${sent[8]}`, { token: ada.token });
  await http.post(`/v1/conversations/${groupId}/read`, { messageId: sent[19] }, { token: bob.token });
  const removed = await http.delete(`/v1/conversations/${groupId}/members/${cat.userId}`, {
    token: ada.token,
  });
  if (removed.status !== 204) throw new Error(`remove member: ${removed.status}`);
  return { ada, bob, cat, direct, groupId };
}
