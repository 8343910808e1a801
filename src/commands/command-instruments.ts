import { DomainError } from '../domain/errors.js';
import { WrongExpectedRevisionError } from '../eventstore/errors.js';
import type { EventMetadata } from '../eventstore/port.js';
import type { CommandMetrics } from '../http/metrics.js';
import { traceparentOf, withSpan, type Tracing } from '../platform/tracing.js';

/** What the command path tells its instruments while it runs one command. */
export interface CommandProbe {
  /** The metadata the appended events carry: the caller's, with this command's trace context. */
  readonly metadata: EventMetadata | undefined;
  /** The command was built (its `type` names it in spans and metrics). */
  built(command: unknown): void;
  /** The append met a concurrent write; the command is decided again. */
  retried(): void;
}

/** Spans and counts for each command; see handle-command.ts for where the probe is called. */
export interface CommandInstruments {
  observe<T extends { readonly appended: readonly unknown[] }>(
    metadata: EventMetadata | undefined,
    run: (probe: CommandProbe) => Promise<T>,
  ): Promise<T>;
}

function outcomeOf(error: unknown): string {
  if (error instanceof DomainError) return 'rejected';
  if (error instanceof WrongExpectedRevisionError) return 'conflict';
  return 'failed';
}

/**
 * One span per command, the decide and append (retries included), as a child of the trace in
 * the caller's metadata; the events it appends carry the span's `traceparent`. Counts every
 * command by type and outcome, and every retry.
 */
export function createCommandInstruments(deps: {
  readonly tracing: Tracing | undefined;
  readonly metrics: CommandMetrics;
}): CommandInstruments {
  return {
    observe(metadata, run) {
      const parent = typeof metadata?.traceparent === 'string' ? metadata.traceparent : undefined;
      return withSpan(
        deps.tracing,
        'command',
        () => (parent === undefined ? {} : { parent }),
        async (span) => {
          let type = 'unknown';
          const probe: CommandProbe = {
            metadata: span ? { ...metadata, traceparent: traceparentOf(span) } : metadata,
            built(command) {
              const named = (command as { readonly type?: unknown } | undefined)?.type;
              if (typeof named !== 'string') return;
              type = named;
              span?.updateName(`command ${type}`);
              span?.setAttribute('chat.command.type', type);
            },
            retried: () => {
              deps.metrics.retried(type);
              span?.addEvent('concurrency retry');
            },
          };
          try {
            const result = await run(probe);
            deps.metrics.finished(type, result.appended.length > 0 ? 'appended' : 'unchanged');
            span?.setAttribute('chat.events.appended', result.appended.length);
            return result;
          } catch (error) {
            deps.metrics.finished(type, outcomeOf(error));
            throw error;
          }
        },
      );
    },
  };
}
