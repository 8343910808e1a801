/**
 * The system as its own process, for measuring what it alone costs: starts every role on a
 * database the parent names, reports its ports, collects garbage and reports its memory on
 * request, and stops when told.
 */
import { startBenchSystem } from './system.js';

type Command = { kind: 'start'; databaseUrl: string } | { kind: 'memory' } | { kind: 'stop' };

let stop: (() => Promise<void>) | undefined;

function residentBytes(): number {
  // What the operating system holds for the process, heap and native (uWS buffers) alike.
  return process.memoryUsage.rss();
}

process.on('message', (command: Command) => {
  void (async () => {
    if (command.kind === 'start') {
      const system = await startBenchSystem(command.databaseUrl);
      stop = () => system.stop();
      process.send?.({ kind: 'started', httpPort: system.httpPort, realtimePort: system.realtimePort });
    } else if (command.kind === 'memory') {
      for (let i = 0; i < 3; i++) globalThis.gc?.();
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.send?.({ kind: 'memory', rss: residentBytes() });
    } else {
      await stop?.();
      process.exit(0);
    }
  })().catch((error: unknown) => {
    process.send?.({ kind: 'failed', error: String(error) });
    process.exit(1);
  });
});
