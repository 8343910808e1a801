import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeServer } from '../../src/realtime/server.js';
import { eventually } from './support/eventually.js';
import { createHarness, realtimeUrl, type Harness } from './support/harness.js';
import { TestClient, type ServerFrame } from '../support/ws-client.js';

/** The online/offline values a client was told about one user, in arrival order. */
const presenceOf = (client: TestClient, userId: string): boolean[] =>
  client.frames.flatMap((frame: ServerFrame) =>
    frame.type === 'presence' && frame.data?.userId === userId ? [frame.data.online as boolean] : [],
  );

describe('realtime presence across nodes', () => {
  let harness: Harness;
  let nodeA: RealtimeServer;
  let nodeB: RealtimeServer;

  beforeAll(async () => {
    harness = await createHarness();
    // Short heartbeats, so that sweeping and re-registering happen within a test.
    [nodeA, nodeB] = await Promise.all([
      harness.startServer({ heartbeatIntervalMs: 100, nodeTimeoutMs: 1_000 }),
      harness.startServer({ heartbeatIntervalMs: 100, nodeTimeoutMs: 1_000 }),
    ]);
  });

  afterAll(async () => {
    await harness?.cleanup();
  });

  const connect = async (node: RealtimeServer, userId: string) =>
    TestClient.open(realtimeUrl(node.port, { access_token: await harness.tokenFor(userId) }));

  const rowsOf = async (userId: string) =>
    (
      await harness.pool.query<{ node_id: string }>(
        'SELECT node_id::text FROM realtime_presence WHERE user_id = $1',
        [userId],
      )
    ).rows.map((row) => row.node_id);

  const nodeExists = async (nodeId: string) =>
    (await harness.pool.query('SELECT 1 FROM realtime_nodes WHERE node_id = $1', [nodeId])).rows.length > 0;

  it('tells contacts, both ways and on every node, of the first connection and of the last', async () => {
    const [alice, bob, carol, dave] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await harness.addContact(alice, bob); // bob is in alice's list
    await harness.addContact(carol, alice); // carol has alice in hers
    const bobClient = await connect(nodeA, bob);
    const carolClient = await connect(nodeB, carol);
    const daveClient = await connect(nodeA, dave);

    const alicePhone = await connect(nodeA, alice);
    for (const watcher of [bobClient, carolClient]) {
      await watcher.until(() => presenceOf(watcher, alice).length === 1, 'alice online');
    }
    // A second device on the other node changes nothing for the others.
    const aliceLaptop = await connect(nodeB, alice);
    await eventually(async () => (await rowsOf(alice)).length === 2, 'a row of alice on each node');
    await alicePhone.close();
    await eventually(async () => (await rowsOf(alice)).length === 1, 'the phone row to go');
    await aliceLaptop.close();
    for (const watcher of [bobClient, carolClient]) {
      await watcher.until(() => presenceOf(watcher, alice).length === 2, 'alice offline');
      // Announcements for one user arrive in the order of their changes: nothing came in between.
      expect(presenceOf(watcher, alice)).toEqual([true, false]);
    }
    expect(await rowsOf(alice)).toEqual([]);
    expect(daveClient.frames).toEqual([]);
    // Alice herself only had her snapshot: bob and carol were online.
    for (const device of [alicePhone, aliceLaptop]) {
      expect(device.frames).toHaveLength(2);
      expect(presenceOf(device, bob)).toEqual([true]);
      expect(presenceOf(device, carol)).toEqual([true]);
    }
    await Promise.all([bobClient.close(), carolClient.close(), daveClient.close()]);
  });

  it('tells a new connection which of its contacts are online already', async () => {
    const [erin, frank, gina, hank] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await harness.addContact(erin, frank);
    await harness.addContact(gina, erin);
    await harness.addContact(erin, hank);
    const frankClient = await connect(nodeA, frank);
    const ginaClient = await connect(nodeB, gina);
    await eventually(async () => (await rowsOf(gina)).length === 1, 'gina online');

    const erinClient = await connect(nodeB, erin);
    await erinClient.until(
      () => presenceOf(erinClient, frank).length === 1 && presenceOf(erinClient, gina).length === 1,
      'the snapshot',
    );
    expect(presenceOf(erinClient, frank)).toEqual([true]);
    expect(presenceOf(erinClient, gina)).toEqual([true]);
    expect(presenceOf(erinClient, hank)).toEqual([]);
    // Later changes follow the snapshot.
    await frankClient.close();
    await erinClient.until(() => presenceOf(erinClient, frank).length === 2, 'frank offline');
    expect(presenceOf(erinClient, frank)).toEqual([true, false]);
    await Promise.all([ginaClient.close(), erinClient.close()]);
  });

  it('takes the users of a node that stopped heartbeating offline', async () => {
    const [ivan, judy] = [randomUUID(), randomUUID()];
    await harness.addContact(judy, ivan);
    // A node that crashed: its rows stay, its heartbeat stops.
    const crashed = randomUUID();
    await harness.pool.query(
      "INSERT INTO realtime_nodes (node_id, expires_at) VALUES ($1, now() + interval '300 milliseconds')",
      [crashed],
    );
    await harness.pool.query('INSERT INTO realtime_presence (node_id, user_id) VALUES ($1, $2)', [
      crashed,
      ivan,
    ]);

    const judyClient = await connect(nodeA, judy);
    await judyClient.until(
      () => presenceOf(judyClient, ivan).length === 2,
      'ivan online, then swept offline',
    );
    expect(presenceOf(judyClient, ivan)).toEqual([true, false]);
    await eventually(async () => !(await nodeExists(crashed)), 'the crashed node row to go');
    await judyClient.close();
  });

  it('does not take a user offline whose crashed node they left for a live one in time', async () => {
    const [kate, liam] = [randomUUID(), randomUUID()];
    await harness.addContact(liam, kate);
    const crashed = randomUUID();
    await harness.pool.query(
      "INSERT INTO realtime_nodes (node_id, expires_at) VALUES ($1, now() + interval '300 milliseconds')",
      [crashed],
    );
    await harness.pool.query('INSERT INTO realtime_presence (node_id, user_id) VALUES ($1, $2)', [
      crashed,
      kate,
    ]);
    const liamClient = await connect(nodeB, liam);
    await liamClient.until(() => presenceOf(liamClient, kate).length === 1, 'kate online (snapshot)');

    // Kate reconnects to a live node before the crashed one is swept.
    const kateClient = await connect(nodeA, kate);
    await eventually(async () => (await rowsOf(kate)).length === 2, 'kate on the live node too');
    await eventually(async () => (await rowsOf(kate)).length === 1, 'the crashed node swept');
    // A later change of another contact is a barrier: anything for kate would have come first.
    const mia = randomUUID();
    await harness.addContact(liam, mia);
    const miaClient = await connect(nodeA, mia);
    await liamClient.until(() => presenceOf(liamClient, mia).length === 1, 'mia online');
    expect(presenceOf(liamClient, kate)).toEqual([true]);
    await Promise.all([liamClient.close(), kateClient.close(), miaClient.close()]);
  });

  it('keeps the users of a node shut down cleanly online while they move to another node', async () => {
    const [paul, quinn, rita] = [randomUUID(), randomUUID(), randomUUID()];
    await harness.addContact(rita, paul);
    await harness.addContact(rita, quinn);
    const leaving = await harness.startServer({ heartbeatIntervalMs: 100, nodeTimeoutMs: 1_000 });
    const ritaClient = await connect(nodeA, rita);
    const paulClient = await connect(leaving, paul);
    const quinnClient = await connect(leaving, quinn);
    await ritaClient.until(
      () => presenceOf(ritaClient, paul).length === 1 && presenceOf(ritaClient, quinn).length === 1,
      'paul and quinn online',
    );
    const [leavingId] = await rowsOf(paul);

    await leaving.close();
    expect((await paulClient.untilClosed()).code).toBe(1001);
    // Paul reconnects elsewhere at once; quinn does not come back.
    const paulAgain = await connect(nodeB, paul);
    await ritaClient.until(() => presenceOf(ritaClient, quinn).length === 2, 'quinn offline after the grace');
    expect(presenceOf(ritaClient, quinn)).toEqual([true, false]);
    await eventually(async () => !(await nodeExists(leavingId!)), 'the node that left swept');
    // A later change is a barrier: an "offline" for paul, had the sweep sent one, came before it.
    const sam = randomUUID();
    await harness.addContact(rita, sam);
    const samClient = await connect(nodeB, sam);
    await ritaClient.until(() => presenceOf(ritaClient, sam).length === 1, 'sam online');
    expect(presenceOf(ritaClient, paul)).toEqual([true]);
    expect(quinnClient.closedWith?.code).toBe(1001);
    await Promise.all([ritaClient.close(), paulAgain.close(), samClient.close()]);
  });

  it('registers again under a new id when its own node row expired, and keeps its users online', async () => {
    const [nora, omar] = [randomUUID(), randomUUID()];
    await harness.addContact(omar, nora);
    const omarClient = await connect(nodeB, omar);
    const noraClient = await connect(nodeA, nora);
    await omarClient.until(() => presenceOf(omarClient, nora).length === 1, 'nora online');
    const [before] = await rowsOf(nora);

    // As if node A had been cut off from the database for longer than the timeout.
    await harness.pool.query(
      "UPDATE realtime_nodes SET expires_at = now() - interval '1 second' WHERE node_id = $1",
      [before],
    );
    await eventually(async () => {
      const rows = await rowsOf(nora);
      return rows.length === 1 && rows[0] !== before;
    }, 'nora under the new node id');
    await eventually(async () => !(await nodeExists(before!)), 'the expired id swept');
    // Whether or not the others saw a blip, the last word is "online" (a blip's "online" may
    // still be on its way when the sweep is seen).
    await omarClient.until(() => presenceOf(omarClient, nora).at(-1) === true, 'nora online again');
    // And the node still serves her: the next change arrives.
    await noraClient.close();
    await omarClient.until(() => presenceOf(omarClient, nora).at(-1) === false, 'nora offline');
    await omarClient.close();
  });
});
