import { pairProjection } from '../pair-projection.js';

/** Who blocks whom: read by the realtime node so that presence never crosses a block, and by queries. */
export const blocksProjection = pairProjection({
  name: 'blocks',
  table: 'blocks',
  columns: ['blocker_id', 'blocked_id', 'blocked_at'],
  handles: ['UserBlocked', 'UserUnblocked'],
  changeOf: (event) =>
    event.type === 'UserBlocked'
      ? { op: 'add', owner: event.data.blockerId, other: event.data.blockedId, at: event.data.blockedAt }
      : event.type === 'UserUnblocked'
        ? { op: 'remove', owner: event.data.blockerId, other: event.data.blockedId }
        : undefined,
});
