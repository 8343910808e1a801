import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CatalogEvent } from '../domain/catalog.js';
import type { Decider } from '../domain/decider.js';
import { WrongExpectedRevisionError } from '../eventstore/errors.js';
import type { EventMetadata, NewEvent } from '../eventstore/port.js';
import type { LogStore, LoggedEvent } from '../log.js';
import type { AggregateCache, CachedAggregate } from './aggregate-cache.js';
import type { CommandInstruments, CommandProbe } from './command-instruments.js';
import type { StreamLocks } from './stream-locks.js';

export interface CommandOutcome<State, Event extends CatalogEvent> {
  /** The state after the new events. */
  readonly state: State;
  /** The events this command appended (empty when it decided nothing). */
  readonly appended: readonly Event[];
  /** Global position of the last appended event; of the stream's last event when nothing was appended. */
  readonly position: bigint | undefined;
}

export interface CommandContext {
  readonly store: LogStore;
  /** Keeps folded states between commands; without it every command reads its whole stream. */
  readonly cache?: AggregateCache;
  /** Queues this process's commands per stream, so they do not race each other. */
  readonly locks?: StreamLocks;
  /** Traces and counts each command; nothing is measured without it. */
  readonly instruments?: CommandInstruments;
}

export interface HandleOptions {
  readonly metadata?: EventMetadata;
  /** Attempts after a concurrency conflict, each re-reading the stream and deciding again. */
  readonly maxRetries?: number;
}

interface Loaded<S> {
  readonly state: S;
  readonly revision: bigint | undefined;
  readonly position: bigint | undefined;
  /** The cache's read mark taken before the state was read (see AggregateCache.put). */
  readonly readMark: bigint | undefined;
}

function foldOnto<S, C, E extends CatalogEvent>(
  decider: Decider<S, C, E>,
  state: S,
  events: readonly LoggedEvent[],
): S {
  let folded = state;
  for (const event of events) {
    if (decider.isEvent(event)) folded = decider.evolve(folded, event);
  }
  return folded;
}

/**
 * The stream's current state: a trusted cached state as it is, else the cached state (if any)
 * plus the events after it. A trusted state is taken out of the cache (`take`, for a caller that
 * will evolve it and put it back) or left in place (`peek`, for a caller that only looks); an
 * untrusted one is always taken out, since folding the tail onto it changes it.
 */
async function load<S, C, E extends CatalogEvent>(
  context: CommandContext,
  streamName: string,
  decider: Decider<S, C, E>,
  mode: 'take' | 'peek',
): Promise<Loaded<S>> {
  const readMark = context.cache?.readMark;
  const peeked = mode === 'peek' ? context.cache?.peek<S>(streamName, decider) : undefined;
  if (peeked?.trusted) return fromCache(peeked, readMark);
  const cached = context.cache?.take<S>(streamName, decider);
  if (cached?.trusted) return fromCache(cached, readMark);
  const tail = await context.store.readStream(
    streamName,
    cached ? { fromRevision: cached.revision + 1n } : {},
  );
  const last = tail.at(-1);
  const before = cached === undefined ? undefined : fromCache(cached, readMark);
  return {
    state: foldOnto(decider, before?.state ?? decider.initialState(), tail),
    revision: last?.revision ?? before?.revision,
    position: last?.position ?? before?.position,
    readMark,
  };
}

function fromCache<S>(cached: CachedAggregate<S>, readMark: bigint | undefined): Loaded<S> {
  const exists = cached.revision >= 0n;
  return {
    state: cached.state,
    revision: exists ? cached.revision : undefined,
    position: cached.position,
    readMark,
  };
}

function keep<S>(context: CommandContext, streamName: string, decider: unknown, loaded: Loaded<S>): void {
  // A stream that does not exist yet is kept too (revision -1): lookups of empty block lists,
  // say, are as frequent as any.
  context.cache?.put(
    streamName,
    decider,
    { state: loaded.state, revision: loaded.revision ?? -1n, position: loaded.position },
    loaded.readMark,
  );
}

/** Runs `run` alone among this process's commands on the stream, when the context queues them. */
function queued<T>(context: CommandContext, streamName: string, run: () => Promise<T>): Promise<T> {
  return context.locks ? context.locks.run(streamName, run) : run();
}

/** A command, or a function building it from the state just loaded (once per attempt). */
export type CommandFrom<S, C> = C | ((state: S) => C | Promise<C>);

/**
 * An aggregate's one command path, bound once to its decider and its stream name (the shape of
 * Emmett's CommandHandler): `handle` loads the stream, decides, appends with the revision it read,
 * and on a concurrency conflict decides again on fresh state; `state` only looks.
 */
export interface CommandHandler<Key, S, C, E extends CatalogEvent> {
  readonly decider: Decider<S, C, E>;
  readonly streamName: (key: Key) => string;
  handle(
    context: CommandContext,
    key: Key,
    command: CommandFrom<S, C>,
    options?: HandleOptions,
  ): Promise<CommandOutcome<S, E>>;
  /** The stream's current state, for a lookup or a check; concurrent lookers share one cached entry. */
  state(context: CommandContext, key: Key): Promise<S>;
}

export function commandHandler<Key, S, C extends object, E extends CatalogEvent>(
  decider: Decider<S, C, E>,
  streamName: (key: Key) => string,
): CommandHandler<Key, S, C, E> {
  return {
    decider,
    streamName,
    handle(context, key, command, options = {}) {
      const name = streamName(key);
      const build = typeof command === 'function' ? command : () => command;
      const run = (probe?: CommandProbe) =>
        queued(context, name, () => decideAndAppend(context, name, decider, build, options, probe));
      return context.instruments ? context.instruments.observe(options.metadata, run) : run();
    },
    async state(context, key) {
      const name = streamName(key);
      const loaded = await load(context, name, decider, 'peek');
      keep(context, name, decider, loaded);
      return loaded.state;
    },
  };
}

function toStore(
  events: readonly CatalogEvent[],
  metadata: EventMetadata | undefined,
): NewEvent<CatalogEvent>[] {
  return events.map((event) => ({ ...event, id: randomUUID(), ...(metadata ? { metadata } : {}) }));
}

async function decideAndAppend<S, C, E extends CatalogEvent>(
  context: CommandContext,
  streamName: string,
  decider: Decider<S, C, E>,
  build: (state: S) => C | Promise<C>,
  options: HandleOptions,
  probe?: CommandProbe,
): Promise<CommandOutcome<S, E>> {
  const maxRetries = options.maxRetries ?? 10;
  const metadata = probe ? probe.metadata : options.metadata;
  for (let attempt = 0; ; attempt++) {
    const loaded = await load(context, streamName, decider, 'take');
    let events: readonly E[];
    try {
      const command = await build(loaded.state);
      probe?.built(command);
      events = decider.decide(command, loaded.state);
    } catch (error) {
      keep(context, streamName, decider, loaded);
      throw error;
    }
    if (events.length === 0) {
      keep(context, streamName, decider, loaded);
      return { state: loaded.state, appended: [], position: loaded.position };
    }
    try {
      const result = await context.store.appendToStream(streamName, toStore(events, metadata), {
        expectedRevision: loaded.revision ?? 'no_stream',
      });
      const state = events.reduce(decider.evolve, loaded.state);
      keep(context, streamName, decider, {
        state,
        revision: result.nextExpectedRevision,
        position: result.position,
        readMark: loaded.readMark,
      });
      return { state, appended: events, position: result.position };
    } catch (error) {
      // The state was right as far as it went: keep it, untrusted, so the retry reads only the tail.
      keep(context, streamName, decider, { ...loaded, readMark: undefined });
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxRetries) throw error;
      probe?.retried();
      await sleep(Math.random() * 5 * (attempt + 1));
    }
  }
}
