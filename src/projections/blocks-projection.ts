import type { UserBlocked, UserUnblocked } from '../domain/blocks/blocks.js';
import { foldPairChanges } from './pair-changes.js';
import type { Projection } from './projection.js';

const DELETE = {
  name: 'blocks-delete',
  text: `DELETE FROM blocks b USING unnest($1::uuid[], $2::uuid[]) AS d (blocker_id, blocked_id)
          WHERE b.blocker_id = d.blocker_id AND b.blocked_id = d.blocked_id`,
};
const INSERT = {
  name: 'blocks-insert',
  text: `INSERT INTO blocks (blocker_id, blocked_id, blocked_at)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING`,
};

/** Who blocks whom: read by the realtime node so that presence never crosses a block. */
export const blocksProjection: Projection = {
  name: 'blocks',
  tables: ['blocks'],
  handles: new Set(['UserBlocked', 'UserUnblocked']),
  async applyBatch(client, events) {
    const { deletes, inserts } = foldPairChanges(events, (event) => {
      if (event.type === 'UserBlocked') {
        const data = event.data as UserBlocked['data'];
        return { op: 'add', owner: data.blockerId, other: data.blockedId, at: data.blockedAt };
      }
      const data = event.data as UserUnblocked['data'];
      return { op: 'remove', owner: data.blockerId, other: data.blockedId };
    });
    if (deletes.owners.length > 0)
      await client.query({ ...DELETE, values: [deletes.owners, deletes.others] });
    if (inserts.owners.length > 0)
      await client.query({ ...INSERT, values: [inserts.owners, inserts.others, inserts.ats] });
  },
};
