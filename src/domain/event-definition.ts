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
  /** Personal fields, stored sealed under their subject's key (see src/eventstore/personal-data.ts). */
  readonly personal?: PersonalFields;
  /** The keys an event of this type destroys: it is an erasure. */
  readonly erases?: (data: OlderData) => ErasureTarget;
}

/**
 * Which string fields of an event are personal data, under whose key they are sealed (the subject,
 * and its owner, whose erasure destroys the subject's key too), and what each reads as once erased.
 */
export interface PersonalFields {
  readonly keyOf: (data: OlderData) => { readonly subject: string; readonly owner: string };
  readonly fields: Readonly<Record<string, string>>;
  /** An event of this type introduces its subject (a new message, a new account): it has no key yet. */
  readonly introducesSubject?: boolean;
}

export type ErasureTarget = { readonly subject: string } | { readonly owner: string };

export interface EventOptions {
  readonly personal?: PersonalFields;
  readonly erases?: (data: OlderData) => ErasureTarget;
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
  options: EventOptions = {},
): EventDefinition<Type, Schema> {
  return { type, version: upcasters.length + 1, schema, upcasters, ...options };
}
