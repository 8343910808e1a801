import { randomUUID } from 'node:crypto';
import type { Decider, DomainEvent } from '../domain/decider.js';
import { WrongExpectedRevisionError } from '../eventstore/errors.js';
import type { EventMetadata, EventStore, RecordedEvent } from '../eventstore/port.js';

export interface CommandOutcome<State, Event extends DomainEvent> {
  /** The state after the new events. */
  readonly state: State;
  /** The events this command appended (empty when it decided nothing). */
  readonly appended: readonly Event[];
  /** The stream as it was read before deciding. */
  readonly history: readonly RecordedEvent[];
  /** Global position of the last appended event; of the stream's last event when nothing was appended. */
  readonly position: bigint | undefined;
}

export interface HandleOptions {
  readonly metadata?: EventMetadata;
  /** Attempts after a concurrency conflict, each re-reading the stream and deciding again. */
  readonly maxRetries?: number;
}

export function foldStream<S, C, E extends DomainEvent>(
  decider: Decider<S, C, E>,
  events: readonly RecordedEvent[],
): S {
  let state = decider.initialState();
  for (const recorded of events) {
    const event: DomainEvent = { type: recorded.type, data: recorded.data };
    if (decider.isEvent(event)) state = decider.evolve(state, event);
  }
  return state;
}

export async function loadAggregate<S, C, E extends DomainEvent>(
  store: EventStore,
  streamName: string,
  decider: Decider<S, C, E>,
): Promise<{ state: S; history: RecordedEvent[] }> {
  const history = await store.readStream(streamName);
  return { state: foldStream(decider, history), history };
}

/**
 * The one command path: read the stream, fold it, decide, append with the revision that was read.
 * A concurrent writer makes the append fail; then the whole decision is made again on fresh state.
 */
export async function handleCommand<S, C, E extends DomainEvent>(
  store: EventStore,
  streamName: string,
  decider: Decider<S, C, E>,
  command: C,
  options: HandleOptions = {},
): Promise<CommandOutcome<S, E>> {
  const maxRetries = options.maxRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    const { state, history } = await loadAggregate(store, streamName, decider);
    const events = decider.decide(command, state);
    const last = history.at(-1);
    if (events.length === 0) {
      return { state, appended: [], history, position: last?.position };
    }
    try {
      const result = await store.appendToStream(
        streamName,
        events.map((event) => ({
          id: randomUUID(),
          type: event.type,
          data: event.data as Record<string, unknown>,
          ...(options.metadata ? { metadata: options.metadata } : {}),
        })),
        { expectedRevision: last ? last.revision : 'no_stream' },
      );
      return {
        state: events.reduce(decider.evolve, state),
        appended: events,
        history,
        position: result.position,
      };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < maxRetries) continue;
      throw error;
    }
  }
}
