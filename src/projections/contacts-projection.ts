import type { ContactAdded, ContactRemoved } from '../domain/contacts/contacts.js';
import { foldPairChanges } from './pair-changes.js';
import type { Projection } from './projection.js';

const DELETE = {
  name: 'contacts-delete',
  text: `DELETE FROM contacts c USING unnest($1::uuid[], $2::uuid[]) AS d (owner_id, contact_id)
          WHERE c.owner_id = d.owner_id AND c.contact_id = d.contact_id`,
};
const INSERT = {
  name: 'contacts-insert',
  text: `INSERT INTO contacts (owner_id, contact_id, added_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
         ON CONFLICT (owner_id, contact_id) DO NOTHING`,
};

/** Each user's contact list. */
export const contactsProjection: Projection = {
  name: 'contacts',
  tables: ['contacts'],
  handles: new Set(['ContactAdded', 'ContactRemoved']),
  async applyBatch(client, events) {
    const { deletes, inserts } = foldPairChanges(events, (event) => {
      if (event.type === 'ContactAdded') {
        const data = event.data as ContactAdded['data'];
        return { op: 'add', owner: data.ownerId, other: data.contactId, at: data.addedAt };
      }
      const data = event.data as ContactRemoved['data'];
      return { op: 'remove', owner: data.ownerId, other: data.contactId };
    });
    if (deletes.owners.length > 0)
      await client.query({ ...DELETE, values: [deletes.owners, deletes.others] });
    if (inserts.owners.length > 0)
      await client.query({ ...INSERT, values: [inserts.owners, inserts.others, inserts.ats] });
  },
};
