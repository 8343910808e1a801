import type { UserBlocked, UserUnblocked } from '../domain/blocks/blocks.js';
import { pairProjection } from './pair-projection.js';

/** Who blocks whom: read by the realtime node so that presence never crosses a block, and by queries. */
export const blocksProjection = pairProjection<UserBlocked['data'], UserUnblocked['data']>({
  name: 'blocks',
  table: 'blocks',
  columns: ['blocker_id', 'blocked_id', 'blocked_at'],
  added: { type: 'UserBlocked', read: (data) => [data.blockerId, data.blockedId, data.blockedAt] },
  removed: { type: 'UserUnblocked', read: (data) => [data.blockerId, data.blockedId] },
});
