import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TObject } from '@sinclair/typebox';
import type { DomainEvent } from './decider.js';
import type { EventDefinition, EventOf, OlderData } from './event-definition.js';

/** A stored event read as the catalog's typed event, or why it cannot be. */
export type Decoding<Event> = { readonly event: Event } | { readonly refused: string };

/**
 * Reads stored events into typed events and checks new ones before they are stored. Each type's
 * schema is compiled once; an event stored at an older version runs through its upcasters first.
 */
export interface EventCodec<Event extends DomainEvent> {
  /** The current version of every event type, to store beside new events. */
  versionOf(type: string): number | undefined;
  /** Throws a TypeError when the event does not match its type's current schema (a bug, never input). */
  check(event: Event): void;
  decode(type: string, data: unknown, version: number): Decoding<Event>;
}

interface Compiled {
  readonly definition: EventDefinition;
  readonly check: TypeCheck<TObject>;
}

export function eventCodec<const Definitions extends readonly EventDefinition[]>(
  definitions: Definitions,
): EventCodec<EventOf<Definitions[number]>> {
  type Event = EventOf<Definitions[number]>;
  const byType = new Map<string, Compiled>();
  for (const definition of definitions) {
    if (byType.has(definition.type)) throw new Error(`event type ${definition.type} is defined twice`);
    byType.set(definition.type, { definition, check: TypeCompiler.Compile(definition.schema) });
  }
  const firstError = (compiled: Compiled, data: unknown): string => {
    const error = compiled.check.Errors(data).First();
    return error ? `${error.path || '/'}: ${error.message}` : 'does not match its schema';
  };
  return {
    versionOf: (type) => byType.get(type)?.definition.version,
    check(event) {
      const compiled = byType.get(event.type);
      if (compiled === undefined) throw new TypeError(`event type ${event.type} is not in the catalog`);
      if (!compiled.check.Check(event.data)) {
        throw new TypeError(`${event.type} ${firstError(compiled, event.data)}`);
      }
    },
    decode(type, stored, version) {
      const compiled = byType.get(type);
      if (compiled === undefined) return { refused: `unknown event type ${type}` };
      const { definition } = compiled;
      if (!Number.isInteger(version) || version < 1 || version > definition.version) {
        return { refused: `${type} has no version ${version} (current: ${definition.version})` };
      }
      let data = stored;
      for (let from = version; from < definition.version; from++) {
        if (typeof data !== 'object' || data === null) break;
        data = definition.upcasters[from - 1]!(data as OlderData);
      }
      if (!compiled.check.Check(data))
        return { refused: `${type} v${version} ${firstError(compiled, data)}` };
      // The compiled schema just proved the data is this type's; TypeScript cannot follow a Map lookup.
      return { event: { type, data } as Event };
    },
  };
}
