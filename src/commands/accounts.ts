import { randomUUID } from 'node:crypto';
import { type ReservationKind } from '../domain/reservation/reservation.js';
import type { UserState } from '../domain/user/user.js';
import type { EventMetadata } from '../eventstore/port.js';
import type { PasswordHasher } from '../platform/passwords.js';
import type { CommandContext } from './command-handler.js';
import { reservations, users } from './aggregates.js';
import { newVerificationCode, sendVerificationMail, type VerificationMailDeps } from './verification-code.js';

/** A claim whose owner never got a user stream is taken over after this long (a crashed sign-up). */
const ABANDONED_CLAIM_MS = 10 * 60 * 1000;

export type RegisteredUser = Extract<UserState, { status: 'registered' }>;

export interface AccountDeps extends CommandContext, VerificationMailDeps {
  readonly passwords: PasswordHasher;
  readonly now: () => Date;
}

export async function loadUser(context: CommandContext, userId: string): Promise<RegisteredUser | undefined> {
  const state = await users.state(context, userId);
  return state.status === 'registered' ? state : undefined;
}

/** The registered user holding a username or email, read from its reservation stream. */
export async function findUserBy(
  context: CommandContext,
  kind: ReservationKind,
  value: string,
): Promise<RegisteredUser | undefined> {
  const state = await reservations.state(context, { kind, value });
  return state.status === 'held' ? loadUser(context, state.ownerId) : undefined;
}

async function claim(
  deps: AccountDeps,
  kind: ReservationKind,
  value: string,
  ownerId: string,
  metadata: EventMetadata,
): Promise<void> {
  const now = deps.now();
  const state = await reservations.state(deps, { kind, value });
  const holderAbandoned =
    state.status === 'held' &&
    state.ownerId !== ownerId &&
    now.getTime() - Date.parse(state.claimedAt) > ABANDONED_CLAIM_MS &&
    (await loadUser(deps, state.ownerId)) === undefined;
  await reservations.handle(
    deps,
    { kind, value },
    { type: 'ClaimReservation', kind, value, ownerId, now: now.toISOString(), holderAbandoned },
    { metadata },
  );
}

async function release(
  deps: AccountDeps,
  kind: ReservationKind,
  value: string,
  ownerId: string,
  metadata: EventMetadata,
): Promise<void> {
  await reservations.handle(
    deps,
    { kind, value },
    { type: 'ReleaseReservation', kind, value, ownerId, now: deps.now().toISOString() },
    { metadata },
  );
}

export interface RegisterInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly displayName?: string;
}

/**
 * Claims the username, then the email, then writes the user with a first email verification code.
 * A later step that fails releases what the earlier ones claimed, so a refused sign-up leaves both
 * values free. The code is mailed once the events are stored; a mail that fails fails nothing.
 */
export async function registerUser(
  deps: AccountDeps,
  input: RegisterInput,
  metadata: EventMetadata,
): Promise<{ userId: string; username: string; position: bigint }> {
  const userId = randomUUID();
  const passwordHash = await deps.passwords.hash(input.password);
  const meta = { ...metadata, userId };
  const claimed: ReservationKind[] = [];
  const now = deps.now();
  const { code, verification } = newVerificationCode(
    deps.verificationKey,
    userId,
    now,
    deps.emailVerificationTtlSeconds,
  );
  let registered: { userId: string; username: string; position: bigint; email: string };
  try {
    await claim(deps, 'username', input.username, userId, meta);
    claimed.push('username');
    await claim(deps, 'email', input.email, userId, meta);
    claimed.push('email');
    const outcome = await users.handle(
      deps,
      userId,
      {
        type: 'RegisterUser',
        userId,
        username: input.username,
        email: input.email,
        displayName: input.displayName ?? '',
        passwordHash,
        verification,
        now: now.toISOString(),
      },
      { metadata: meta },
    );
    if (outcome.state.status !== 'registered' || outcome.position === undefined) {
      throw new Error('registration did not produce a user');
    }
    const { username, email } = outcome.state;
    registered = { userId, username, email, position: outcome.position };
  } catch (error) {
    for (const kind of claimed.reverse()) {
      await release(deps, kind, kind === 'username' ? input.username : input.email, userId, meta);
    }
    throw error;
  }
  sendVerificationMail(deps, {
    to: registered.email,
    username: registered.username,
    code,
    correlationId: metadata.correlationId,
  });
  return { userId, username: registered.username, position: registered.position };
}

/** A hash per hasher, checked for unknown users so that both failure paths spend the same time. */
const dummyHashes = new WeakMap<PasswordHasher, Promise<string>>();

/** The user whose credentials these are, or undefined; unknown user and wrong password look alike. */
export async function authenticate(
  deps: AccountDeps,
  login: string,
  password: string,
): Promise<RegisteredUser | undefined> {
  const user = await findUserBy(deps, login.includes('@') ? 'email' : 'username', login);
  if (!user) {
    let dummyHash = dummyHashes.get(deps.passwords);
    if (!dummyHash) {
      dummyHash = deps.passwords.hash(randomUUID());
      dummyHashes.set(deps.passwords, dummyHash);
    }
    await deps.passwords.verify(password, await dummyHash);
    return undefined;
  }
  return (await deps.passwords.verify(password, user.passwordHash)) ? user : undefined;
}
