import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Migration } from '../platform/migrate.js';
import { realtimeMigrations } from '../realtime/presence/presence-schema.js';
import { readModelMigrations } from './migrations.js';

/*
 * Migrations are applied by id, without checksums: a database that applied one never runs it
 * again, so its text may never change (a fresh database would differ from an old one). The text
 * may be assembled from pieces defined beside the tables they make; these digests hold it fixed.
 */
const digest = (migrations: readonly Migration[]) =>
  createHash('sha256')
    .update(JSON.stringify(migrations.map((migration) => [migration.id, migration.sql])))
    .digest('hex');

describe('the migrations, as every database applied them', () => {
  it('keep the read models’ ids, order and text', () => {
    expect(readModelMigrations.map((migration) => migration.id)).toEqual([
      '001-read-models',
      '002-accounts',
      '003-blocks',
      '004-read-receipts',
      '005-resume-index',
      '006-messages-by-sender',
    ]);
    expect(digest(readModelMigrations)).toBe(
      'c94c93a28114b517e39a00d7e164936ff7473137034a2bc6a5c2cb97ea2d6c44',
    );
  });

  it('keep the realtime nodes’ ids, order and text', () => {
    expect(realtimeMigrations.map((migration) => migration.id)).toEqual(['001-presence']);
    expect(digest(realtimeMigrations)).toBe(
      'b656b4520ecc9b0517483bcd73face6ef6f8c3f344e3899fe33a5cd2a9ad355d',
    );
  });
});
