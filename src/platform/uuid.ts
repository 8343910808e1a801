const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** User and conversation ids in the read models are uuids; anything else matches no row there. */
export const isUuid = (value: string): boolean => UUID.test(value);
