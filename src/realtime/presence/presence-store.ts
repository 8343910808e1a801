import type pg from 'pg';
import { inTransaction } from '../../platform/transactions.js';
import { publishEphemeral } from './ephemeral-channel.js';
import { isUuid } from '../../platform/uuid.js';
import { PRESENCE_AUDIENCE } from '../../read-models/contacts/queries.js';

/**
 * The SQL behind cross-node presence (tables in presence-schema.ts). Every change to one user's
 * presence rows runs in a transaction that first takes an advisory lock on that user, so the
 * changes of all nodes to one user are serialised: exactly one of them sees the user's first row
 * appear (and announces "online"), exactly one sees the last row go ("offline"). The announcement
 * is a pg_notify in the same transaction, so it goes out only if the change commits, and the
 * announcements for one user arrive everywhere in the order of their changes.
 */

const FOREIGN_KEY_VIOLATION = '23503';

/** Two-key advisory lock: a fixed namespace and the user. Hash collisions only serialise more. */
const LOCK_USER = "SELECT pg_advisory_xact_lock(hashtext('chat-backend:realtime-presence'), hashtext($1))";

/**
 * The user's presence audience, returned only when no other node has a row for the user: the
 * change being made is then the first or the last one.
 */
const AUDIENCE_IF_ALONE = `
  SELECT audience.user_id::text AS user_id FROM (${PRESENCE_AUDIENCE}) AS audience
  WHERE NOT EXISTS (SELECT 1 FROM realtime_presence WHERE user_id = $2 AND node_id <> $3::uuid)`;

const ONLINE_CONTACTS = `
  SELECT DISTINCT presence.user_id FROM realtime_presence AS presence
  WHERE presence.user_id IN (SELECT audience.user_id::text FROM (${PRESENCE_AUDIENCE}) AS audience)`;

export type AddOutcome = 'added' | 'present' | 'node-expired';

export function presenceStore(pool: pg.Pool) {
  /** Announces the user's presence to its audience if no other node has the user. */
  async function announceIfAlone(client: pg.PoolClient, nodeId: string, userId: string, online: boolean) {
    // Contacts are keyed by uuid; any other id (not issued by this system) has no audience.
    if (!isUuid(userId)) return;
    const { rows } = await client.query<{ user_id: string }>(AUDIENCE_IF_ALONE, [userId, userId, nodeId]);
    if (rows.length === 0) return;
    await publishEphemeral(client, { kind: 'presence', userId, online, to: rows.map((row) => row.user_id) });
  }

  return {
    async registerNode(nodeId: string, timeoutMs: number): Promise<void> {
      await pool.query(
        "INSERT INTO realtime_nodes (node_id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')",
        [nodeId, timeoutMs],
      );
    },

    /** Moves the node's expiry on; false if it had expired already (other nodes may be sweeping it). */
    async heartbeat(nodeId: string, timeoutMs: number): Promise<boolean> {
      const result = await pool.query(
        `UPDATE realtime_nodes SET expires_at = now() + $2 * interval '1 millisecond'
         WHERE node_id = $1 AND expires_at >= now()`,
        [nodeId, timeoutMs],
      );
      return result.rowCount === 1;
    },

    /** Records that the node has the user; announces "online" if no node had. */
    async add(nodeId: string, userId: string): Promise<AddOutcome> {
      try {
        return await inTransaction(pool, async (client) => {
          await client.query(LOCK_USER, [userId]);
          const node = await client.query<{ alive: boolean }>(
            'SELECT expires_at >= now() AS alive FROM realtime_nodes WHERE node_id = $1',
            [nodeId],
          );
          if (node.rows[0]?.alive !== true) return 'node-expired';
          const inserted = await client.query(
            'INSERT INTO realtime_presence (node_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
            [nodeId, userId],
          );
          if (inserted.rowCount === 0) return 'present';
          await announceIfAlone(client, nodeId, userId, true);
          return 'added';
        });
      } catch (error) {
        // The node row was swept between the check and the insert.
        if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return 'node-expired';
        throw error;
      }
    },

    /** Removes the node's row for the user; announces "offline" if no node has the user any more. */
    async remove(nodeId: string, userId: string): Promise<void> {
      await inTransaction(pool, async (client) => {
        await client.query(LOCK_USER, [userId]);
        const deleted = await client.query(
          'DELETE FROM realtime_presence WHERE node_id = $1 AND user_id = $2',
          [nodeId, userId],
        );
        if (deleted.rowCount === 1) await announceIfAlone(client, nodeId, userId, false);
      });
    },

    /** Brings the node's expiry forward to `graceMs` from now (never later than it was). */
    async expireSoon(nodeId: string, graceMs: number): Promise<void> {
      await pool.query(
        `UPDATE realtime_nodes SET expires_at = least(expires_at, now() + $2 * interval '1 millisecond')
         WHERE node_id = $1`,
        [nodeId, graceMs],
      );
    },

    /** Nodes that stopped heartbeating (crashed, hung or cut off) and that nobody removed yet. */
    async expiredNodes(): Promise<string[]> {
      const { rows } = await pool.query<{ node_id: string }>(
        'SELECT node_id::text FROM realtime_nodes WHERE expires_at < now() ORDER BY expires_at',
      );
      return rows.map((row) => row.node_id);
    },

    async usersOf(nodeId: string, limit: number): Promise<string[]> {
      const { rows } = await pool.query<{ user_id: string }>(
        'SELECT user_id FROM realtime_presence WHERE node_id = $1 ORDER BY user_id LIMIT $2',
        [nodeId, limit],
      );
      return rows.map((row) => row.user_id);
    },

    /** Removes a node row that has no presence rows left; false if some appeared meanwhile. */
    async deleteNode(nodeId: string): Promise<boolean> {
      try {
        await pool.query('DELETE FROM realtime_nodes WHERE node_id = $1', [nodeId]);
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return false;
        throw error;
      }
    },

    /** The user's contacts (either direction) that some node has now. */
    async onlineContacts(userId: string): Promise<string[]> {
      if (!isUuid(userId)) return [];
      const { rows } = await pool.query<{ user_id: string }>(ONLINE_CONTACTS, [userId]);
      return rows.map((row) => row.user_id);
    },
  };
}

export type PresenceStore = ReturnType<typeof presenceStore>;
