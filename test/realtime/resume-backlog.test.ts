import { describe, expect, it } from 'vitest';
import { appendForeignBacklog } from '../../bench/support/foreign-backlog.js';
import { checkpointPosition } from '../../src/read-models/checkpoints.js';
import { RESUME_INDEX } from '../../src/read-models/resume-index/projection.js';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';
import { eventually } from './support/eventually.js';

/*
 * A user offline while far more events of others than REALTIME_REPLAY_LIMIT were written resumes
 * with `since` and gets exactly their own missed events: the limit counts their events, and the
 * resume reads them from the resume index, not the whole gap.
 */
const FOREIGN = 40_000;
const t = useTestSystem({ REALTIME_REPLAY_LIMIT: '30' });

const indexedUpTo = () => checkpointPosition(t.system.pool, RESUME_INDEX);

describe('resume after a long absence', () => {
  it(`replays only the user's own events behind ${FOREIGN.toLocaleString('en')} of others`, async () => {
    const alice = await signUp(t.http, uniqueName('alice'));
    const bob = await signUp(t.http, uniqueName('bob'));
    const first = await t.http.post(
      '/v1/messages',
      { to: bob.username, body: 'before' },
      { token: alice.token },
    );
    const since = first.body.position as string;

    const missed: string[] = [];
    const send = async (i: number) => {
      const sent = await t.http.post(
        '/v1/messages',
        { to: bob.username, body: `missed ${i}` },
        { token: alice.token },
      );
      missed.push(sent.body.position as string);
    };
    for (let i = 0; i < 10; i++) await send(i);
    await appendForeignBacklog(t.system.pool, FOREIGN / 2);
    for (let i = 10; i < 20; i++) await send(i);
    await appendForeignBacklog(t.system.pool, FOREIGN / 2);
    for (let i = 20; i < 30; i++) await send(i);
    const head = await t.system.store.headPosition();
    await eventually(async () => (await indexedUpTo()) >= head, 'the resume index to catch up', {
      timeoutMs: 60_000,
      intervalMs: 100,
    });

    const client = await TestClient.open(realtimeUrl(t.system.realtimePort!, bob.token, since));
    await client.until(() => client.positions().length >= 30, 'the 30 missed frames');
    expect(client.frames.some((frame) => frame.type === 'resync')).toBe(false);
    expect(client.positions().map(String)).toEqual(missed);
    expect(client.frames.map((frame) => frame.data?.body)).toEqual(missed.map((_, i) => `missed ${i}`));

    // One more than the limit of their own: resync, however the gap is made.
    await send(30);
    const far = await TestClient.open(realtimeUrl(t.system.realtimePort!, bob.token, since));
    expect(await far.next(() => true)).toEqual({ type: 'resync' });
    await Promise.all([client.close(), far.close()]);
  }, 120_000);
});
