import { randomFillSync } from 'node:crypto';

/**
 * Cryptographically random bytes taken from a pool filled in one call: a fill costs about as much
 * as a call of `randomBytes` for a few bytes, and sealing asks for three small pieces a message
 * (a key and two IVs). Every byte is handed out once; each piece is a copy of its own.
 */
const POOL_BYTES = 8192;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomPiece(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.alloc(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const piece = Buffer.allocUnsafe(size);
  pool.copy(piece, 0, offset, offset + size);
  // Handed out bytes are wiped from the pool, so no later reader of the pool can see them.
  pool.fill(0, offset, offset + size);
  offset += size;
  return piece;
}
