import { describe, it } from 'vitest';
import { deciderSpec } from '../decider-spec.js';
import { blocksDecider, type BlocksEvent } from './blocks.js';

const spec = deciderSpec(blocksDecider);
const now = '2026-01-01T00:00:00.000Z';
const blocked: BlocksEvent = {
  type: 'UserBlocked',
  data: { blockerId: 'a', blockedId: 'b', blockedAt: now },
};
const unblocked: BlocksEvent = {
  type: 'UserUnblocked',
  data: { blockerId: 'a', blockedId: 'b', unblockedAt: now },
};
const block = { type: 'BlockUser' as const, blockerId: 'a', blockedId: 'b', now };
const unblock = { type: 'UnblockUser' as const, blockerId: 'a', blockedId: 'b', now };

describe('blocks', () => {
  it('blocks a user, once', () => {
    spec.given([]).when(block).then([blocked]);
    spec.given([blocked]).when(block).thenNothing();
  });
  it('refuses to block yourself', () =>
    spec
      .given([])
      .when({ ...block, blockedId: 'a' })
      .thenRefused('invalid', 'cannot_block_self'));
  it('unblocks a blocked user; unblocking anyone else changes nothing', () => {
    spec.given([blocked]).when(unblock).then([unblocked]);
    spec.given([]).when(unblock).thenNothing();
    spec.given([blocked, unblocked]).when(block).then([blocked]);
  });
});
