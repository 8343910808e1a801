import { isStorableText } from '../../platform/text.js';
import { assertAppendable } from '../appendable.js';
import type { ExpectedRevision, NewEvent, SealingKey } from '../port.js';
/**
 * The same in serialised JSON, where JSON.stringify escapes both: `\u0000` and `\udXXX` preceded
 * by an even number of backslashes (an odd one means the backslash itself was escaped).
 */
const UNSTORABLE_JSON = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/** One append, checked and serialised, as the batch statement takes it. */
export interface EncodedAppend {
  readonly streamName: string;
  readonly expectedRevision: ExpectedRevision;
  readonly ids: readonly string[];
  readonly types: readonly string[];
  readonly datas: readonly string[];
  readonly metadatas: readonly string[];
  /** Written with the events, if the append is accepted. */
  readonly sealingKeys: readonly SealingKey[];
}

function storableText(what: string, text: string): string {
  if (!isStorableText(text)) throw new TypeError(`${what} holds NUL or an unpaired surrogate`);
  return text;
}

function storableJson(what: string, value: unknown): string {
  const json = JSON.stringify(value);
  if (UNSTORABLE_JSON.test(json)) throw new TypeError(`${what} holds NUL or an unpaired surrogate`);
  return json;
}

/**
 * Rejects, before anything is sent, what the port forbids (see appendable.ts) and input the
 * database would refuse (and with it every other append of the batch): NUL or unpaired
 * surrogates in any text. Serialises the events once.
 */
export function encodeAppend(
  streamName: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
  sealingKeys: readonly SealingKey[] = [],
): EncodedAppend {
  assertAppendable(streamName, events);
  storableText('stream name', streamName);
  return {
    streamName,
    expectedRevision,
    ids: events.map((event) => event.id),
    types: events.map((event) => storableText('event type', event.type)),
    datas: events.map((event) => storableJson('event data', event.data)),
    metadatas: events.map((event) => storableJson('event metadata', event.metadata ?? {})),
    sealingKeys,
  };
}
