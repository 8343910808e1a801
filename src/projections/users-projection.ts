import type { EmailVerified, UserRegistered } from '../domain/user/user.js';
import { defineProjection } from './projection.js';

export const usersProjection = defineProjection({
  name: 'users',
  tables: ['users'],
  handlers: {
    async UserRegistered(client, event) {
      const data = event.data as UserRegistered['data'];
      await client.query(
        `INSERT INTO users (user_id, username, email, display_name, registered_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING`,
        [data.userId, data.username, data.email, data.displayName, data.registeredAt],
      );
    },
    async EmailVerified(client, event) {
      const data = event.data as EmailVerified['data'];
      await client.query('UPDATE users SET email_verified = true WHERE user_id = $1', [data.userId]);
    },
  },
});
