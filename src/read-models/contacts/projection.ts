import { pairProjection } from '../pair-projection.js';

/** Each user's contact list. */
export const contactsProjection = pairProjection({
  name: 'contacts',
  table: 'contacts',
  columns: ['owner_id', 'contact_id', 'added_at'],
  handles: ['ContactAdded', 'ContactRemoved'],
  changeOf: (event) =>
    event.type === 'ContactAdded'
      ? { op: 'add', owner: event.data.ownerId, other: event.data.contactId, at: event.data.addedAt }
      : event.type === 'ContactRemoved'
        ? { op: 'remove', owner: event.data.ownerId, other: event.data.contactId }
        : undefined,
});
