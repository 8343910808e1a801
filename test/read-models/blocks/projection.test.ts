import { blocksProjection } from '../../../src/read-models/blocks/projection.js';
import { pairProjectionSpec } from '../pair-spec.js';

pairProjectionSpec(blocksProjection, {
  events: { added: 'UserBlocked', removed: 'UserUnblocked' },
  fields: { owner: 'blockerId', other: 'blockedId', added: 'blockedAt', removed: 'unblockedAt' },
  columns: { owner: 'blocker_id', other: 'blocked_id', added: 'blocked_at' },
});
