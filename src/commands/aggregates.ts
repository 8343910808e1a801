import { blocksDecider, blocksStreamName } from '../domain/blocks/blocks.js';
import { contactsDecider, contactsStreamName } from '../domain/contacts/contacts.js';
import { conversationDecider, conversationStreamName } from '../domain/conversation/conversation.js';
import {
  reservationDecider,
  reservationStreamName,
  type ReservationKind,
} from '../domain/reservation/reservation.js';
import { sessionDecider, sessionStreamName } from '../domain/session/session.js';
import { userDecider, userStreamName } from '../domain/user/user.js';
import { commandHandler } from './command-handler.js';

/** A reservation stream's key: the kind of value held and the value. */
export interface ReservationKey {
  readonly kind: ReservationKind;
  readonly value: string;
}

/** Each aggregate's command handler, bound to its decider and its stream name (see command-handler.ts). */
export const users = commandHandler(userDecider, userStreamName);
export const sessions = commandHandler(sessionDecider, sessionStreamName);
export const reservations = commandHandler(reservationDecider, ({ kind, value }: ReservationKey) =>
  reservationStreamName(kind, value),
);
export const contactLists = commandHandler(contactsDecider, contactsStreamName);
export const blockLists = commandHandler(blocksDecider, blocksStreamName);
export const conversations = commandHandler(conversationDecider, conversationStreamName);
