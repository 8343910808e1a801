import { assertNever, typeGuard, type Decider } from '../decider.js';
import { refuse } from '../errors.js';
import type { BlocksEvent } from './events.js';
export type { UserBlocked, UserUnblocked, BlocksEvent } from './events.js';

export type BlockUser = {
  readonly type: 'BlockUser';
  readonly blockerId: string;
  readonly blockedId: string;
  readonly now: string;
};
export type UnblockUser = {
  readonly type: 'UnblockUser';
  readonly blockerId: string;
  readonly blockedId: string;
  readonly now: string;
};
export type BlocksCommand = BlockUser | UnblockUser;

export type BlocksState = { readonly blocked: ReadonlySet<string> };

/** One block list per user: whom they block. */
export const blocksStreamName = (userId: string) => `blocks-${userId}`;

export const blocksDecider: Decider<BlocksState, BlocksCommand, BlocksEvent> = {
  initialState: () => ({ blocked: new Set() }),
  isEvent: typeGuard<BlocksEvent>(['UserBlocked', 'UserUnblocked']),
  evolve(state, event) {
    const blocked = new Set(state.blocked);
    switch (event.type) {
      case 'UserBlocked':
        blocked.add(event.data.blockedId);
        return { blocked };
      case 'UserUnblocked':
        blocked.delete(event.data.blockedId);
        return { blocked };
      default:
        return assertNever(event);
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'BlockUser':
        if (command.blockedId === command.blockerId)
          throw refuse('cannot_block_self', 'you cannot block yourself');
        if (state.blocked.has(command.blockedId)) return [];
        return [
          {
            type: 'UserBlocked',
            data: { blockerId: command.blockerId, blockedId: command.blockedId, blockedAt: command.now },
          },
        ];
      case 'UnblockUser':
        if (!state.blocked.has(command.blockedId)) return [];
        return [
          {
            type: 'UserUnblocked',
            data: { blockerId: command.blockerId, blockedId: command.blockedId, unblockedAt: command.now },
          },
        ];
      default:
        return assertNever(command);
    }
  },
};
