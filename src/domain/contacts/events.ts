import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOf } from '../event-definition.js';

export const contactAdded = defineEvent(
  'ContactAdded',
  Type.Object({ ownerId: Type.String(), contactId: Type.String(), addedAt: Type.String() }),
);

export const contactRemoved = defineEvent(
  'ContactRemoved',
  Type.Object({ ownerId: Type.String(), contactId: Type.String(), removedAt: Type.String() }),
);

export const contactsEvents = [contactAdded, contactRemoved] as const;

export type ContactAdded = EventOf<typeof contactAdded>;
export type ContactRemoved = EventOf<typeof contactRemoved>;
export type ContactsEvent = EventOf<(typeof contactsEvents)[number]>;
