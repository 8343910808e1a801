import type { ContactAdded, ContactRemoved } from '../domain/contacts/contacts.js';
import { defineProjection } from './projection.js';

export const contactsProjection = defineProjection({
  name: 'contacts',
  tables: ['contacts'],
  handlers: {
    async ContactAdded(client, event) {
      const data = event.data as ContactAdded['data'];
      await client.query(
        `INSERT INTO contacts (owner_id, contact_id, added_at) VALUES ($1, $2, $3)
         ON CONFLICT (owner_id, contact_id) DO NOTHING`,
        [data.ownerId, data.contactId, data.addedAt],
      );
    },
    async ContactRemoved(client, event) {
      const data = event.data as ContactRemoved['data'];
      await client.query('DELETE FROM contacts WHERE owner_id = $1 AND contact_id = $2', [
        data.ownerId,
        data.contactId,
      ]);
    },
  },
});
