import type { UserBlocked, UserUnblocked } from '../domain/blocks/blocks.js';
import { defineProjection } from './projection.js';

/** Who blocks whom: read by the realtime node so that presence never crosses a block. */
export const blocksProjection = defineProjection({
  name: 'blocks',
  tables: ['blocks'],
  handlers: {
    async UserBlocked(client, event) {
      const data = event.data as UserBlocked['data'];
      await client.query(
        `INSERT INTO blocks (blocker_id, blocked_id, blocked_at) VALUES ($1, $2, $3)
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING`,
        [data.blockerId, data.blockedId, data.blockedAt],
      );
    },
    async UserUnblocked(client, event) {
      const data = event.data as UserUnblocked['data'];
      await client.query('DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [
        data.blockerId,
        data.blockedId,
      ]);
    },
  },
});
