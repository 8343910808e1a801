import { createHash } from 'node:crypto';

/**
 * The id of the direct conversation between two users: the same whichever of them sends first,
 * so that the first send creates it and every later send finds it. Shaped as a UUID (version 8,
 * name-based) so that it is a valid id wherever one is expected.
 */
export function directConversationId(userA: string, userB: string): string {
  const [first, second] = userA < userB ? [userA, userB] : [userB, userA];
  const hex = createHash('sha256').update(`direct:${first}:${second}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
