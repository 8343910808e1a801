import { Type } from '@sinclair/typebox';

export const Position = Type.String({ pattern: '^[0-9]{1,20}$' });
export const Cursor = Type.String({ pattern: '^[0-9]{1,18}$', description: 'opaque cursor from nextCursor' });
export const UserSummary = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
});
export const Limit = (max: number, fallback: number) =>
  Type.Integer({ minimum: 1, maximum: max, default: fallback });
