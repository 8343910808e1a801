import { contactsProjection } from '../../../src/read-models/contacts/projection.js';
import { pairProjectionSpec } from '../pair-spec.js';

pairProjectionSpec(contactsProjection, {
  events: { added: 'ContactAdded', removed: 'ContactRemoved' },
  fields: { owner: 'ownerId', other: 'contactId', added: 'addedAt', removed: 'removedAt' },
  columns: { owner: 'owner_id', other: 'contact_id', added: 'added_at' },
});
