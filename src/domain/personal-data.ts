import type { PersonalFields } from './event-definition.js';

/*
 * Personal data in events (email, display name, message bodies) is sealed under keys kept outside
 * the log; once a key is destroyed, its fields read as these values everywhere downstream.
 */

/** A message body is 1 to 4000 characters after trimming: the empty body can only mean erased. */
export const ERASED_BODY = '';
export const ERASED_EMAIL = '';
export const ERASED_DISPLAY_NAME = 'Deleted user';

export const isErasedBody = (body: string) => body === ERASED_BODY;

/** A user's profile fields: sealed under the user's own key (`introducesSubject` for the registration). */
export function userPersonalFields(
  fields: Readonly<Record<string, string>>,
  introducesSubject = false,
): PersonalFields {
  return {
    keyOf: (data) => ({ subject: `user:${String(data.userId)}`, owner: String(data.userId) }),
    fields,
    introducesSubject,
  };
}

/** A message's body: sealed under a key of its own, owned by its sender. */
export const messageBody: PersonalFields = {
  keyOf: (data) => ({ subject: `message:${String(data.messageId)}`, owner: String(data.senderId) }),
  fields: { body: ERASED_BODY },
};

/** The body of a message being sent: the event that introduces the message's key. */
export const newMessageBody: PersonalFields = { ...messageBody, introducesSubject: true };

export const messageKey = (data: { readonly messageId?: unknown }) => ({
  subject: `message:${String(data.messageId)}`,
});
