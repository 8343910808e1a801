import type pg from 'pg';
import { migrate, type Migration } from '../../platform/migrate.js';
import { contactsByContactIndex } from '../../read-models/contacts/tables.js';

/**
 * Not read models: the realtime nodes' shared view of who is connected. A node row lives while its
 * node heartbeats (`expires_at` moves forward); a presence row says "this node has at least one
 * connection of this user". Rows of an expired node are removed by whichever node sweeps first.
 * The foreign key makes a presence row for a node row already swept impossible.
 */
const presenceTables = `
      CREATE TABLE realtime_nodes (
        node_id uuid PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE realtime_presence (
        node_id uuid NOT NULL REFERENCES realtime_nodes,
        user_id text NOT NULL,
        connected_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (node_id, user_id)
      );
      CREATE INDEX realtime_presence_by_user ON realtime_presence (user_id);`;

export const realtimeMigrations: readonly Migration[] = [
  {
    id: '001-presence',
    // With an index the read model of contacts defines, for presence.
    sql: `${presenceTables}${contactsByContactIndex}
    `,
  },
];

/** Creates the realtime tables; the read models (contacts) must exist already. */
export const migrateRealtime = (pool: pg.Pool) => migrate(pool, 'realtime', realtimeMigrations);
