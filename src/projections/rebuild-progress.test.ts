import { describe, expect, it } from 'vitest';
import type { RebuildProgress } from './rebuild.js';
import { duration, progressLine, progressReporter } from './rebuild-progress.js';

const step = (phase: RebuildProgress['phase'], position: bigint, events: number): RebuildProgress => ({
  projection: 'history',
  phase,
  from: 0n,
  position,
  head: 1000n,
  events,
});

function recorder(isTTY: boolean) {
  const written: string[] = [];
  let clock = 0;
  const report = progressReporter({ isTTY, write: (text: string) => written.push(text) }, () => clock);
  return { written, report, advance: (ms: number) => (clock += ms) };
}

describe('rebuild progress', () => {
  it('draws one bar on a terminal, with events/s and time left', () => {
    const { written, report, advance } = recorder(true);
    report(step('started', 0n, 0));
    advance(2000);
    report(step('copying', 250n, 250));
    advance(2000);
    report(step('copying', 500n, 500));
    expect(written[0]).toBe('history: rebuilding into shadow tables from the start of the log (head 1000)\n');
    expect(written[2]).toBe(
      `\rhistory: [${'#'.repeat(15)}${'.'.repeat(15)}] 50%  position 500 of 1000  125 events/s  4 s left\x1b[K`,
    );
    advance(4000);
    report(step('swapped', 1000n, 1000));
    expect(written.at(-1)).toBe('history: swapped in at position 1000; 1,000 events in 8 s (125 events/s)\n');
  });

  it('writes plain lines, at most one a second, elsewhere', () => {
    const { written, report, advance } = recorder(false);
    report(step('started', 0n, 0));
    advance(100);
    report(step('copying', 100n, 100));
    advance(100);
    report(step('copying', 200n, 200)); // within the second: not written
    advance(1000);
    report(step('copying', 300n, 300));
    expect(written).toHaveLength(3);
    expect(written[1]).toBe('history: 10%  position 100 of 1000  1,000 events/s  <1 s left\n');
    expect(written.join('')).not.toContain('\r');
  });

  it('says when a rebuild resumes', () => {
    const { written, report } = recorder(false);
    report({ ...step('started', 400n, 0), from: 400n });
    expect(written[0]).toBe('history: resuming an interrupted rebuild at position 400 (log head 1000)\n');
  });

  it('says how long, readably', () => {
    expect([0.2, 7, 75, 4000].map(duration)).toEqual(['<1 s', '7 s', '1 min 15 s', '1 h 6 min']);
    expect(progressLine(step('copying', 1000n, 1000), 1, false)).toMatch(/100%.*catching up$/);
  });
});
