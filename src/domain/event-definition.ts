import type { Static, TObject } from '@sinclair/typebox';
import type { DomainEvent } from './decider.js';

/** Stored event data of an older version, before its upcasters ran. */
export type OlderData = { readonly [key: string]: unknown };

/** Turns the data of one version into the data of the next. Pure: no clock, no I/O. */
export type Upcaster = (data: OlderData) => OlderData;

/**
 * One event type as the log stores it: its name, its current version, the TypeBox schema of that
 * version's data, and an upcaster from every older version to the one after it. An event once
 * written is never changed; a new shape is a new version whose upcaster says how the old reads.
 */
export interface EventDefinition<Type extends string = string, Schema extends TObject = TObject> {
  readonly type: Type;
  readonly version: number;
  readonly schema: Schema;
  /** `upcasters[v - 1]` takes data of version v to version v + 1; one per older version. */
  readonly upcasters: readonly Upcaster[];
}

/** Readonly all the way down: events are facts, and nobody downstream may change one. */
export type Frozen<T> = T extends readonly (infer Item)[]
  ? readonly Frozen<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: Frozen<T[Key]> }
    : T;

/** The event a definition describes, as deciders produce it and consumers receive it. */
export type EventOf<Definition> =
  Definition extends EventDefinition<infer Type, infer Schema>
    ? DomainEvent<Type, Frozen<Static<Schema>>>
    : never;

/**
 * Defines an event type. Version 1 needs no upcasters; version n needs n − 1 of them, oldest
 * first, each taking one version to the next.
 */
export function defineEvent<const Type extends string, Schema extends TObject>(
  type: Type,
  schema: Schema,
  upcasters: readonly Upcaster[] = [],
): EventDefinition<Type, Schema> {
  return { type, version: upcasters.length + 1, schema, upcasters };
}
