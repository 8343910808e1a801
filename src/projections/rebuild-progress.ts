import type { RebuildProgress } from './rebuild.js';

/** Where progress is written: a terminal gets one redrawn bar, anything else plain lines. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 30;
/** Plain output writes at most one line per this many milliseconds (and the first and last). */
const LINE_INTERVAL_MS = 1000;

/** Reports a rebuild's progress: a bar with events/s and time left on a TTY, else a line a second. */
export function progressReporter(
  stream: ProgressStream,
  now: () => number = () => performance.now(),
): (progress: RebuildProgress) => void {
  let started = now();
  let lastLine = -Infinity;
  return (progress) => {
    if (progress.phase === 'started') {
      started = now();
      stream.write(`${describeStart(progress)}\n`);
      return;
    }
    const seconds = (now() - started) / 1000;
    if (progress.phase === 'swapped') {
      if (stream.isTTY) stream.write(`\r${progressLine(progress, seconds, true)}\x1b[K\n`);
      stream.write(`${describeEnd(progress, seconds)}\n`);
    } else if (stream.isTTY) {
      stream.write(`\r${progressLine(progress, seconds, true)}\x1b[K`);
    } else if (now() - lastLine >= LINE_INTERVAL_MS) {
      lastLine = now();
      stream.write(`${progressLine(progress, seconds, false)}\n`);
    }
  };
}

function describeStart(progress: RebuildProgress): string {
  return progress.from > 0n
    ? `${progress.projection}: resuming an interrupted rebuild at position ${progress.from} (log head ${progress.head})`
    : `${progress.projection}: rebuilding into shadow tables from the start of the log (head ${progress.head})`;
}

function describeEnd(progress: RebuildProgress, seconds: number): string {
  return (
    `${progress.projection}: swapped in at position ${progress.position}; ` +
    `${count(progress.events)} events in ${duration(seconds)} (${count(rate(progress.events, seconds))} events/s)`
  );
}

/** One line of progress: how far, how fast, how long still (positions, so EventStoreDB's work too). */
export function progressLine(progress: RebuildProgress, seconds: number, withBar: boolean): string {
  const { position, head, from } = progress;
  const fraction = head > 0n ? Math.min(Number(position) / Number(head), 1) : 1;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = withBar ? ` [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]` : '';
  const positionsPerSecond = rate(Number(position - from), seconds);
  const left =
    position >= head
      ? 'catching up'
      : positionsPerSecond > 0
        ? `${duration(Number(head - position) / positionsPerSecond)} left`
        : 'time left unknown';
  return (
    `${progress.projection}:${bar} ${Math.floor(fraction * 100)}%  position ${position} of ${head}  ` +
    `${count(rate(progress.events, seconds))} events/s  ${left}`
  );
}

function rate(amount: number, seconds: number): number {
  return seconds > 0 ? amount / seconds : 0;
}

function count(value: number): string {
  return Math.round(value).toLocaleString('en');
}

/** 0.4 → "<1 s", 75 → "1 min 15 s", 4000 → "1 h 6 min". */
export function duration(seconds: number): string {
  if (seconds < 1) return '<1 s';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
