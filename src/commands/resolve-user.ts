import { refuse } from '../domain/errors.js';
import { findUserBy, loadUser, type RegisteredUser } from './accounts.js';
import type { CommandContext } from './command-handler.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user named by id or by username, read from the event store (never from a lagging read model). */
export async function resolveUser(
  context: CommandContext,
  ref: { readonly userId?: string; readonly username?: string } | string,
): Promise<RegisteredUser> {
  const { userId, username } =
    typeof ref === 'string' ? (UUID.test(ref) ? { userId: ref.toLowerCase() } : { username: ref }) : ref;
  const user =
    userId !== undefined
      ? await loadUser(context, userId)
      : username !== undefined
        ? await findUserBy(context, 'username', username)
        : undefined;
  if (!user) throw refuse('user_not_found', 'no such user');
  return user;
}
