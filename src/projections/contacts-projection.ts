import type { ContactAdded, ContactRemoved } from '../domain/contacts/contacts.js';
import { pairProjection } from './pair-projection.js';

/** Each user's contact list. */
export const contactsProjection = pairProjection<ContactAdded['data'], ContactRemoved['data']>({
  name: 'contacts',
  table: 'contacts',
  columns: ['owner_id', 'contact_id', 'added_at'],
  added: { type: 'ContactAdded', read: (data) => [data.ownerId, data.contactId, data.addedAt] },
  removed: { type: 'ContactRemoved', read: (data) => [data.ownerId, data.contactId] },
});
