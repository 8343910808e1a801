import type { EventMetadata } from '../eventstore/port.js';
import { release } from './accounts.js';
import { users } from './aggregates.js';
import { checkPassword, type PasswordDeps } from './passwords.js';

/**
 * DELETE /v1/me. The UserErased event destroys the user's keys as it is stored (see
 * src/eventstore/personal-data.ts): their email, display name and every body they wrote become
 * unreadable in every copy of the log at once, and projections blank what they hold. The user
 * can no longer log in, refresh or use a token (none of these find a registered user). The
 * username stays reserved by the erased user, so that nobody can take over the identity; the
 * email is released, so that its owner may sign up again.
 */
export async function eraseAccount(
  deps: PasswordDeps,
  input: { userId: string; password: string },
  metadata: EventMetadata,
): Promise<bigint | undefined> {
  const user = await checkPassword(deps, input.userId, input.password);
  const outcome = await users.handle(
    deps,
    user.userId,
    { type: 'EraseUser', now: deps.now().toISOString() },
    { metadata },
  );
  await release(deps, 'email', user.email, user.userId, metadata);
  return outcome.position;
}
