// Long because sealing and opening are one boundary: the seal, the append with its keys, opening, and re-applying erasures.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  SealingKeyConflictError,
  type ErasureTarget,
  type PersonalDataKeys,
  type SealingKey,
} from '../platform/personal-data-keys.js';
import { randomPiece } from '../platform/random-pool.js';
import type {
  AppendResult,
  EventStore,
  EventStoreLogger,
  JsonObject,
  NewEvent,
  RecordedEvent,
} from './port.js';
import { trimOldest } from '../platform/bounded-map.js';

/** The metadata key recording which fields of an event are sealed, and under whose key. */
export const PERSONAL = 'personal';

/** Which fields of an event type are personal, whose key seals them, and what they read as once erased. */
export interface PersonalFields {
  readonly keyOf: (data: JsonObject) => { readonly subject: string; readonly owner: string };
  /** Each personal (string) field, and the value it reads as once its key is destroyed. */
  readonly fields: Readonly<Record<string, string>>;
  /** An event of this type introduces its subject (a new message): its key is made without a lookup. */
  readonly introducesSubject?: boolean;
}

/** The catalog's rules: each type's personal fields, and the keys an event type destroys. */
export interface PersonalDataRules {
  personalOf(type: string): PersonalFields | undefined;
  erasureOf(type: string): ((data: JsonObject) => ErasureTarget) | undefined;
}

/**
 * Seals the personal fields of events on their way into the log and opens them on the way out,
 * so that everything past the log boundary reads plaintext, or the erased value once the key is
 * destroyed. An event that destroys keys (an erasure) destroys them before it is stored: once it
 * is in the log, no reader can open what it erased.
 */
export interface PersonalDataSeal {
  /**
   * Seals the events and appends them with `write`, which is given the keys made for them when
   * the store writes keys with its appends (none otherwise: they are stored first).
   */
  append(
    events: readonly NewEvent[],
    write: (sealed: NewEvent[], sealingKeys: readonly SealingKey[]) => Promise<AppendResult>,
  ): Promise<AppendResult>;
  /** Opens the events' personal fields; those of types `opens` leaves out read as erased. */
  open(events: readonly RecordedEvent[], opens?: ReadonlySet<string>): Promise<RecordedEvent[]>;
  /** Opens one event at once if its key is known in memory; undefined when it must be looked up. */
  openNow(event: RecordedEvent): RecordedEvent | undefined;
}

interface SealedMark {
  readonly subject: string;
  readonly fields: readonly string[];
}

/** How many values sealed here are kept for their first opening (see `sealedHere`). */
const SEALED_HERE_SIZE = 10_000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealValue(key: Buffer, subject: string, field: string, value: string): string {
  const iv = randomPiece(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(`${subject}/${field}`));
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

function openValue(key: Buffer, subject: string, field: string, value: string): string | undefined {
  try {
    const bytes = Buffer.from(value, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
      .setAAD(Buffer.from(`${subject}/${field}`))
      .setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}

function sealedMark(metadata: JsonObject): SealedMark | undefined {
  const mark = metadata[PERSONAL] as { subject?: unknown; fields?: unknown } | undefined;
  if (typeof mark !== 'object' || mark === null || typeof mark.subject !== 'string') return undefined;
  if (!Array.isArray(mark.fields) || !mark.fields.every((field) => typeof field === 'string'))
    return undefined;
  return { subject: mark.subject, fields: mark.fields as string[] };
}

export function personalDataSeal(
  rules: PersonalDataRules,
  keys: PersonalDataKeys,
  logger: EventStoreLogger,
): PersonalDataSeal {
  /*
   * What this process sealed, by sealed value, until its first opening: the log hands the process
   * its own appends straight back, and opening them needs no decryption. Bounded; a value not
   * found here (another process sealed it, or it was opened already) is decrypted.
   */
  const sealedHere = new Map<string, string>();
  const sealField = (key: Buffer, subject: string, field: string, value: string) => {
    const sealed = sealValue(key, subject, field, value);
    sealedHere.set(sealed, value);
    trimOldest(sealedHere, SEALED_HERE_SIZE);
    return sealed;
  };
  const openField = (key: Buffer, subject: string, field: string, value: string) => {
    const known = sealedHere.get(value);
    if (known === undefined) return openValue(key, subject, field, value);
    sealedHere.delete(value);
    return known;
  };

  const seal = async (events: readonly NewEvent[], lookUpEvery: boolean) => {
    for (const event of events) {
      const erasure = rules.erasureOf(event.type);
      if (erasure) await keys.destroy(erasure(event.data));
    }
    const subjects = events.flatMap((event) => {
      const personal = rules.personalOf(event.type);
      return personal
        ? [{ ...personal.keyOf(event.data), isNew: !lookUpEvery && personal.introducesSubject === true }]
        : [];
    });
    if (subjects.length === 0) return { sealed: [...events], created: [] };
    const sealing = await keys.keysForSealing(subjects);
    const sealed = events.map((event) => {
      const personal = rules.personalOf(event.type);
      if (!personal) return event;
      const { subject } = personal.keyOf(event.data);
      const key = sealing.keys.get(subject) ?? null;
      const data: Record<string, unknown> = { ...event.data };
      const fields = Object.keys(personal.fields).filter((field) => typeof data[field] === 'string');
      // A subject already erased gets the erased values, in the clear: there is nothing to hide.
      for (const field of fields) {
        data[field] = key ? sealField(key, subject, field, data[field] as string) : personal.fields[field];
      }
      if (!key) return { ...event, data };
      return { ...event, data, metadata: { ...event.metadata, [PERSONAL]: { subject, fields } } };
    });
    return { sealed, created: sealing.created };
  };

  const sealAndWrite = async (
    events: readonly NewEvent[],
    write: (sealed: NewEvent[], sealingKeys: readonly SealingKey[]) => Promise<AppendResult>,
    lookUpEvery: boolean,
  ) => {
    const { sealed, created } = await seal(events, lookUpEvery);
    if (created.length === 0) return write(sealed, []);
    if (keys.writtenByAppends) {
      try {
        const result = await write(sealed, created);
        keys.stored(created);
        return result;
      } catch (error) {
        keys.dropped(created);
        throw error;
      }
    }
    try {
      await keys.store(created);
    } catch (error) {
      keys.dropped(created);
      throw error;
    }
    // Stored, the keys stay whatever becomes of the append: a retry of the subject finds them.
    keys.stored(created);
    return write(sealed, []);
  };

  const forgetErased = (events: readonly RecordedEvent[]) => {
    for (const event of events) {
      const erasure = rules.erasureOf(event.type);
      if (erasure) keys.forget(erasure(event.data));
    }
  };

  /** The event with its sealed fields opened by `key` (null or undefined: destroyed, unknown). */
  const openWith = (event: RecordedEvent, mark: SealedMark | undefined, key: Buffer | null | undefined) => {
    if (!mark) return event;
    const erasedValues = rules.personalOf(event.type)?.fields ?? {};
    const data: Record<string, unknown> = { ...event.data };
    for (const field of mark.fields) {
      const value = data[field];
      if (typeof value !== 'string') continue;
      const opened = key ? openField(key, mark.subject, field, value) : undefined;
      if (key && opened === undefined) {
        logger.error(
          { type: event.type, position: event.position.toString(), field },
          'a sealed field does not open with its key; read as erased',
        );
      }
      data[field] = opened ?? erasedValues[field] ?? '';
    }
    // Readers past the boundary see the event as it was appended: the mark is the boundary's.
    const { [PERSONAL]: _mark, ...metadata } = event.metadata;
    return { ...event, data, metadata };
  };

  return {
    async append(events, write) {
      try {
        return await sealAndWrite(events, write, false);
      } catch (error) {
        if (!(error instanceof SealingKeyConflictError)) throw error;
        logger.error({}, 'a subject taken for new already had a key; sealed again with the stored one');
        return sealAndWrite(events, write, true);
      }
    },

    async open(events, opens) {
      const marks = events.map((event) => sealedMark(event.metadata));
      const subjects = marks.flatMap((mark, index) =>
        mark && (!opens || opens.has(events[index]!.type)) ? [mark.subject] : [],
      );
      forgetErased(events);
      const opening = subjects.length > 0 ? await keys.keysForOpening(subjects) : new Map<string, null>();
      return events.map((event, index) =>
        openWith(event, marks[index], opening.get(marks[index]?.subject ?? '')),
      );
    },

    openNow(event) {
      const mark = sealedMark(event.metadata);
      forgetErased([event]);
      if (!mark) return event;
      const key = keys.keyNow(mark.subject);
      return key === undefined ? undefined : openWith(event, mark, key);
    },
  };
}

/**
 * Destroys again every key the log's erasures destroyed: after the keys table was restored from a
 * backup older than some erasures. Reads the whole log; returns how many erasures it applied.
 */
export async function reapplyErasures(
  store: EventStore,
  rules: PersonalDataRules,
  keys: PersonalDataKeys,
): Promise<number> {
  let after = 0n;
  let applied = 0;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 5000 });
    if (page.length === 0) return applied;
    for (const event of page) {
      const erasure = rules.erasureOf(event.type);
      if (!erasure) continue;
      await keys.destroy(erasure(event.data));
      applied++;
    }
    after = page.at(-1)!.position;
  }
}
