import { ERASED_DISPLAY_NAME, ERASED_EMAIL } from '../../domain/personal-data.js';
import type { UserRegistered } from '../../domain/user/user.js';
import type { Projection } from '../projection.js';

const INSERT = {
  name: 'users-insert',
  text: `INSERT INTO users (user_id, username, email, display_name, registered_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
         ON CONFLICT (user_id) DO NOTHING`,
};
const RENAME = {
  name: 'users-rename',
  text: `UPDATE users u SET display_name = r.display_name
           FROM unnest($1::uuid[], $2::text[]) AS r (user_id, display_name) WHERE u.user_id = r.user_id`,
};
const VERIFY = {
  name: 'users-verify',
  text: 'UPDATE users SET email_verified = true WHERE user_id = ANY ($1::uuid[]) AND NOT email_verified',
};

/** An erased user keeps the id and username (still reserved); the rest reads as erased. */
const ERASE = {
  name: 'users-erase',
  text: `UPDATE users SET email = $2, display_name = $3, email_verified = false
          WHERE user_id = ANY ($1::uuid[])`,
};

/** Registered users, for search and profiles. */
export const usersProjection: Projection = {
  name: 'users',
  tables: ['users'],
  handles: new Set(['UserRegistered', 'EmailVerified', 'ProfileChanged', 'UserErased']),
  async applyBatch(client, events) {
    const registered = new Map<string, UserRegistered['data']>();
    const verified = new Set<string>();
    /** The last display name each user took in the batch. */
    const renamed = new Map<string, string>();
    const erased = new Set<string>();
    for (const event of events) {
      if (event.type === 'UserRegistered') {
        const { data } = event;
        if (!registered.has(data.userId)) registered.set(data.userId, data);
      } else if (event.type === 'ProfileChanged') {
        const { data } = event;
        if (data.displayName !== undefined) renamed.set(data.userId, data.displayName);
      } else if (event.type === 'EmailVerified') {
        verified.add(event.data.userId);
      } else if (event.type === 'UserErased') {
        erased.add(event.data.userId);
      }
    }
    // A user's events come in stream order, so the registration is inserted before its verification.
    if (registered.size > 0) {
      const rows = [...registered.values()];
      await client.query({
        ...INSERT,
        values: [
          rows.map((row) => row.userId),
          rows.map((row) => row.username),
          rows.map((row) => row.email),
          rows.map((row) => row.displayName),
          rows.map((row) => row.registeredAt),
        ],
      });
    }
    if (verified.size > 0) await client.query({ ...VERIFY, values: [[...verified]] });
    if (renamed.size > 0)
      await client.query({ ...RENAME, values: [[...renamed.keys()], [...renamed.values()]] });
    if (erased.size > 0)
      await client.query({ ...ERASE, values: [[...erased], ERASED_EMAIL, ERASED_DISPLAY_NAME] });
  },
};
