import { afterAll, describe, expect, it } from 'vitest';
import { createPasswordHasher, PasswordHasherBusyError } from './passwords.js';

const hasher = createPasswordHasher({ rounds: 12, threads: 1 });
afterAll(() => hasher.close());

describe('password hashing', () => {
  it('hashes off the event loop: a timer fires while a slow hash is still running', async () => {
    let finished = false;
    const hashing = hasher.hash('correct horse battery').then((hash) => {
      finished = true;
      return hash;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(finished).toBe(false);
    const hash = await hashing;
    expect(hash).toMatch(/^\$2[aby]\$12\$/);
    expect(await hasher.verify('correct horse battery', hash)).toBe(true);
    expect(await hasher.verify('wrong', hash)).toBe(false);
  });

  it('rejects work after close', async () => {
    const closed = createPasswordHasher({ rounds: 4, threads: 1 });
    await closed.close();
    await expect(closed.hash('x')).rejects.toThrow(/closed/);
  });
});

describe('the hashing queue', () => {
  it('serves logins before sign-ups, and refuses work past its bound instead of queueing it', async () => {
    const busy = createPasswordHasher({ rounds: 10, threads: 1, maxWaiting: { hash: 2, verify: 4 } });
    try {
      const hash = await busy.hash('pw');
      const finished: string[] = [];
      const signUps = Array.from({ length: 3 }, (_, i) =>
        busy.hash(`pw${i}`).then(() => finished.push(`hash${i}`)),
      );
      const refused = busy.hash('one too many');
      await expect(refused).rejects.toBeInstanceOf(PasswordHasherBusyError);
      const login = busy.verify('pw', hash).then((ok) => finished.push(`verify:${ok}`));
      await Promise.all([...signUps, login]);
      // The first sign-up was already running; the login went before the two that waited.
      expect(finished).toEqual(['hash0', 'verify:true', 'hash1', 'hash2']);
    } finally {
      await busy.close();
    }
  });
});
