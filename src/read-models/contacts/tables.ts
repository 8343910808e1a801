/*
 * The contacts read model's table and index. Their SQL is a piece of the migration
 * `001-read-models` (../migrations.ts) and of the realtime nodes' `001-presence`: applied once by
 * id and never compared again, so its text, spacing included, stays as it is; a change is a new
 * migration.
 */

/** In `001-read-models`: each user's contact list. */
export const contactsTable = `
      CREATE TABLE contacts (
        owner_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        added_at timestamptz NOT NULL,
        PRIMARY KEY (owner_id, contact_id)
      );`;

/**
 * In the realtime nodes' `001-presence` (realtime/presence/presence-schema.ts), which made it for
 * them: presence goes to whoever has the user as a contact, so contacts are looked up by contact
 * too. A rebuild of contacts makes its table with the read-model migrations alone: the table it
 * swaps in lacks this index.
 */
export const contactsByContactIndex = `
      -- Presence goes to the users who have the user as a contact too: look contacts up by contact.
      CREATE INDEX IF NOT EXISTS contacts_by_contact ON contacts (contact_id);`;
