import { userDecider, userStreamName, type UserState } from '../domain/user/user.js';
import { loadUser } from './accounts.js';
import type { CommandContext } from './command-handler.js';

/**
 * Whether a user exists: answered at once when the command cache holds the user's stream and the
 * log has shown nothing newer of it (the usual case for anyone who logged in or connected lately),
 * else read from the store. The WebSocket upgrade uses the synchronous answer to upgrade inside
 * uWS's own handler.
 */
export function userExistence(context: CommandContext): (userId: string) => boolean | Promise<boolean> {
  return (userId) => {
    const cached = context.cache?.peek<UserState>(userStreamName(userId), userDecider);
    if (cached?.trusted) return cached.state.status === 'registered';
    return loadUser(context, userId).then((user) => user !== undefined);
  };
}
