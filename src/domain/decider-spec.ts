/** Test support for the deciders' unit tests beside them (excluded from the build): given, when, then. */
import { expect } from 'vitest';
import type { Decider, DomainEvent } from './decider.js';
import { DomainError } from './errors.js';

/** Given these events, when this command: then these events, or this refusal. */
export function deciderSpec<S, C, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
          return {
            then(expected: readonly E[]) {
              expect(run()).toEqual(expected);
            },
            thenNothing() {
              expect(run()).toEqual([]);
            },
            thenRefused(kind: DomainError['kind'], code: string) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect(caught).toMatchObject({ kind, code });
            },
          };
        },
      };
    },
  };
}
