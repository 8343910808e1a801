/** An event as the domain sees it: a past-tense type and its data. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** A pure decider: no I/O, no clock, no id generation (time and ids arrive with the command). */
export interface Decider<State, Command, Event extends DomainEvent> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
  /** Narrows a stored event to this aggregate's union; events of other types are ignored. */
  readonly isEvent: (event: DomainEvent) => event is Event;
}

/** Compile-time proof that a switch handled every member of a union. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

export function typeGuard<Event extends DomainEvent>(types: readonly Event['type'][]) {
  const known = new Set<string>(types);
  return (event: DomainEvent): event is Event => known.has(event.type);
}
