import { afterAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from './passwords.js';

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
