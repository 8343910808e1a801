import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import { contactsDecider, type ContactsEvent } from './contacts.js';

const spec = deciderSpec(contactsDecider);
const now = '2026-01-01T00:00:00.000Z';
const added: ContactsEvent = { type: 'ContactAdded', data: { ownerId: 'a', contactId: 'b', addedAt: now } };
const removed: ContactsEvent = {
  type: 'ContactRemoved',
  data: { ownerId: 'a', contactId: 'b', removedAt: now },
};
const add = { type: 'AddContact' as const, ownerId: 'a', contactId: 'b', now };
const remove = { type: 'RemoveContact' as const, ownerId: 'a', contactId: 'b', now };

describe('contacts', () => {
  it('adds a contact', () => spec.given([]).when(add).then([added]));
  it('adding an existing contact changes nothing', () => spec.given([added]).when(add).thenNothing());
  it('refuses to add yourself', () =>
    spec
      .given([])
      .when({ ...add, contactId: 'a' })
      .thenRefused('invalid', 'cannot_add_self'));
  it('removes a contact', () => spec.given([added]).when(remove).then([removed]));
  it('refuses to remove someone who is not a contact', () =>
    spec.given([added, removed]).when(remove).thenRefused('not_found', 'not_a_contact'));
  it('re-adds a removed contact', () => spec.given([added, removed]).when(add).then([added]));
});
