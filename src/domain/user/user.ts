import { assertNever, typeGuard, type Decider, type DomainEvent } from '../decider.js';
import { conflict } from '../errors.js';

export type UserRegistered = DomainEvent<
  'UserRegistered',
  {
    readonly userId: string;
    readonly username: string;
    readonly email: string;
    readonly displayName: string;
    /** bcrypt hash; the password itself never reaches the log. */
    readonly passwordHash: string;
    readonly registeredAt: string;
  }
>;
export type UserEvent = UserRegistered;

export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly username: string;
  readonly email: string;
  readonly displayName: string;
  readonly passwordHash: string;
  readonly now: string;
};
export type UserCommand = RegisterUser;

export type UserState =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'registered';
      readonly userId: string;
      readonly username: string;
      readonly email: string;
      readonly displayName: string;
      readonly passwordHash: string;
    };

export const userStreamName = (userId: string) => `user-${userId}`;

export const userDecider: Decider<UserState, UserCommand, UserEvent> = {
  initialState: () => ({ status: 'unregistered' }),
  isEvent: typeGuard<UserEvent>(['UserRegistered']),
  evolve(_state, event) {
    switch (event.type) {
      case 'UserRegistered':
        return { status: 'registered', ...event.data };
      default:
        return assertNever(event.type);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'RegisterUser':
        if (state.status === 'registered') throw conflict('user_exists', 'this user is already registered');
        return [
          {
            type: 'UserRegistered',
            data: {
              userId: command.userId,
              username: command.username.toLowerCase(),
              email: command.email.trim().toLowerCase(),
              displayName: command.displayName.trim() || command.username,
              passwordHash: command.passwordHash,
              registeredAt: command.now,
            },
          },
        ];
      default:
        return assertNever(command.type);
    }
  },
};
