import { assertNever, typeGuard, type Decider } from '../decider.js';
import { refuse } from '../errors.js';
import type { ContactsEvent } from './events.js';
export type { ContactAdded, ContactRemoved, ContactsEvent } from './events.js';

export type AddContact = {
  readonly type: 'AddContact';
  readonly ownerId: string;
  readonly contactId: string;
  readonly now: string;
};
export type RemoveContact = {
  readonly type: 'RemoveContact';
  readonly ownerId: string;
  readonly contactId: string;
  readonly now: string;
};
export type ContactsCommand = AddContact | RemoveContact;

export type ContactsState = { readonly contacts: ReadonlySet<string> };

/** One contact list per user. */
export const contactsStreamName = (ownerId: string) => `contacts-${ownerId}`;

export const contactsDecider: Decider<ContactsState, ContactsCommand, ContactsEvent> = {
  initialState: () => ({ contacts: new Set() }),
  isEvent: typeGuard<ContactsEvent>(['ContactAdded', 'ContactRemoved']),
  evolve(state, event) {
    const contacts = new Set(state.contacts);
    switch (event.type) {
      case 'ContactAdded':
        contacts.add(event.data.contactId);
        return { contacts };
      case 'ContactRemoved':
        contacts.delete(event.data.contactId);
        return { contacts };
      default:
        return assertNever(event);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'AddContact':
        if (command.contactId === command.ownerId) {
          throw refuse('cannot_add_self', 'you cannot add yourself as a contact');
        }
        if (state.contacts.has(command.contactId)) return [];
        return [
          {
            type: 'ContactAdded',
            data: { ownerId: command.ownerId, contactId: command.contactId, addedAt: command.now },
          },
        ];
      case 'RemoveContact':
        if (!state.contacts.has(command.contactId)) {
          throw refuse('not_a_contact', 'that user is not in your contacts');
        }
        return [
          {
            type: 'ContactRemoved',
            data: { ownerId: command.ownerId, contactId: command.contactId, removedAt: command.now },
          },
        ];
      default:
        return assertNever(command);
    }
  },
};
