/** Pure parsing of what an upgrade request carries: the access token and the resume position. */

const DECIMAL = /^[0-9]+$/;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export type SinceParam = { readonly ok: true; readonly since: bigint | undefined } | { readonly ok: false };

/** `since` is absent, or a non-negative decimal integer (a global log position). */
export function parseSince(raw: string | undefined): SinceParam {
  if (raw === undefined) return { ok: true, since: undefined };
  if (!DECIMAL.test(raw)) return { ok: false };
  return { ok: true, since: BigInt(raw) };
}

/** The token from `Authorization: Bearer …` when that header is present, else from `access_token`. */
export function accessToken(authorizationHeader: string, queryToken: string | undefined): string | undefined {
  if (authorizationHeader !== '') return BEARER.exec(authorizationHeader)?.[1];
  return queryToken === '' ? undefined : queryToken;
}
