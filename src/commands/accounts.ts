import { createHmac, randomUUID } from 'node:crypto';
import { refuse } from '../domain/errors.js';
import { normaliseReservationValue } from '../domain/reservation/reservation.js';
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

export interface AccountDeps extends CommandContext, VerificationMailDeps, EmailIndex {
  readonly passwords: PasswordHasher;
  readonly now: () => Date;
}

/**
 * Emails are reserved under a keyed digest, never in the clear: a reservation's stream name is
 * part of every copy of the log, and could not be erased. The key comes from the personal-data
 * master key, so it outlives any JWT_SECRET rotation.
 */
export interface EmailIndex {
  readonly emailIndexKey: Buffer;
}

export const emailIndexKeyFrom = (masterKey: Buffer) =>
  createHmac('sha256', masterKey).update('email-index').digest();

/** The value a reservation holds: the username as it is, a keyed digest of the email. */
export function reservedValue(index: Partial<EmailIndex>, kind: ReservationKind, value: string): string {
  if (kind === 'username') return value;
  if (!index.emailIndexKey) throw new Error('email reservations need the email index key');
  return createHmac('sha256', index.emailIndexKey).update(normaliseReservationValue(value)).digest('hex');
}

export async function loadUser(context: CommandContext, userId: string): Promise<RegisteredUser | undefined> {
  const state = await users.state(context, userId);
  return state.status === 'registered' ? state : undefined;
}

/** The registered user holding a username or email, read from its reservation stream. */
export async function findUserBy(
  context: CommandContext & Partial<EmailIndex>,
  kind: ReservationKind,
  value: string,
): Promise<RegisteredUser | undefined> {
  const state = await reservations.state(context, { kind, value: reservedValue(context, kind, value) });
  if (state.status === 'held') return loadUser(context, state.ownerId);
  // Emails reserved before the digest existed are held in the clear (see the README, Erasure).
  if (kind !== 'email') return undefined;
  const legacy = await reservations.state(context, { kind, value });
  return legacy.status === 'held' ? loadUser(context, legacy.ownerId) : undefined;
}

async function claim(
  deps: AccountDeps,
  kind: ReservationKind,
  value: string,
  ownerId: string,
  metadata: EventMetadata,
): Promise<void> {
  const now = deps.now();
  if (kind === 'email') {
    const legacy = await findUserBy(deps, kind, value);
    if (legacy && legacy.userId !== ownerId) throw refuse('email_taken', 'that email is already taken');
  }
  value = reservedValue(deps, kind, value);
  const state = await reservations.state(deps, { kind, value });
  const holderAbandoned =
    state.status === 'held' &&
    state.ownerId !== ownerId &&
    now.getTime() - Date.parse(state.claimedAt) > ABANDONED_CLAIM_MS &&
    (await users.state(deps, state.ownerId)).status === 'unregistered';
  await reservations.handle(
    deps,
    { kind, value },
    { type: 'ClaimReservation', kind, value, ownerId, now: now.toISOString(), holderAbandoned },
    { metadata },
  );
}

export async function release(
  deps: AccountDeps,
  kind: ReservationKind,
  value: string,
  ownerId: string,
  metadata: EventMetadata,
): Promise<void> {
  await reservations.handle(
    deps,
    { kind, value: reservedValue(deps, kind, value) },
    {
      type: 'ReleaseReservation',
      kind,
      value: reservedValue(deps, kind, value),
      ownerId,
      now: deps.now().toISOString(),
    },
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
