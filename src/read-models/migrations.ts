import type pg from 'pg';
import { migrate, type Migration } from '../platform/migrate.js';
import { rateLimitCountersMigration } from '../platform/rate-limiter.js';
import { blocksMigration } from './blocks/tables.js';
import { checkpointsTable } from './checkpoints.js';
import { contactsTable } from './contacts/tables.js';
import { conversationsTables, readReceiptsMigration } from './conversations/tables.js';
import { messagesBySenderMigration, messagesTable } from './history/tables.js';
import { resumeIndexMigration } from './resume-index/tables.js';
import { usersTable } from './users/tables.js';

/*
 * The read models' migrations, in the order every database has applied them. Each read model
 * defines its tables in its own folder (<read model>/tables.ts); here they are put together. A
 * migration is applied once, by id, and never compared again: ids, order and text may not change
 * (migrations.test.ts holds them), so a new shape is a new migration at the end.
 */

/** The read models' tables; a rebuild also runs them, in a schema of its own, to make its shadow tables. */
export const readModelMigrations: readonly Migration[] = [
  {
    // The first tables of the read models, and the checkpoints, in one migration.
    id: '001-read-models',
    sql: `${checkpointsTable}${usersTable}${contactsTable}${conversationsTables}${messagesTable}
    `,
  },
  // Not a read model's: the rate limiter's counters, in this set since they were made.
  rateLimitCountersMigration,
  blocksMigration,
  readReceiptsMigration,
  resumeIndexMigration,
  messagesBySenderMigration,
];

export const migrateReadModels = (pool: pg.Pool) => migrate(pool, 'read-models', readModelMigrations);
