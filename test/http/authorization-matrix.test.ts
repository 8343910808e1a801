import { beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { PROBLEM_JSON, uniqueName, useTestSystem } from '../support/system.js';

const t = useTestSystem();

type User = Awaited<ReturnType<typeof signUp>>;
type Role = 'member' | 'former member' | 'outsider' | 'anonymous';

interface Route {
  readonly name: string;
  readonly call: (token: string | undefined) => Promise<{ status: number; headers: Headers }>;
  /** What a current member (neither the creator nor the sender) gets. */
  readonly member: number;
}

let creator: User;
const people = {} as Record<Exclude<Role, 'anonymous'>, User>;
let routes: Route[];

beforeAll(async () => {
  creator = await signUp(t.http, uniqueName('creator'));
  people.member = await signUp(t.http, uniqueName('member'));
  people['former member'] = await signUp(t.http, uniqueName('former'));
  people.outsider = await signUp(t.http, uniqueName('outsider'));
  const newcomer = await signUp(t.http, uniqueName('newcomer'));
  const created = await t.http.post(
    '/v1/conversations',
    { title: 'Matrix', memberIds: [people.member.userId, people['former member'].userId] },
    { token: creator.token },
  );
  const id = created.body.conversationId as string;
  const sent = await t.http.post(
    `/v1/conversations/${id}/messages`,
    { body: 'by creator' },
    { token: creator.token },
  );
  const messageId = sent.body.messageId as string;
  const left = await t.http.delete(`/v1/conversations/${id}/members/${people['former member'].userId}`, {
    token: people['former member'].token,
  });
  expect(left.status).toBe(204);
  const headers = { 'x-min-position': left.headers.get('x-position')! };
  const opts = (token: string | undefined, body?: unknown) => ({
    ...(token ? { token } : {}),
    headers,
    body,
  });

  routes = [
    {
      name: 'GET messages',
      member: 200,
      call: (tk) => t.http.get(`/v1/conversations/${id}/messages`, opts(tk)),
    },
    {
      name: 'POST message',
      member: 201,
      call: (tk) => t.http.request('POST', `/v1/conversations/${id}/messages`, opts(tk, { body: 'hello' })),
    },
    {
      name: "PATCH someone else's message",
      member: 403,
      call: (tk) =>
        t.http.request('PATCH', `/v1/conversations/${id}/messages/${messageId}`, opts(tk, { body: 'x' })),
    },
    {
      name: "DELETE someone else's message",
      member: 403,
      call: (tk) => t.http.request('DELETE', `/v1/conversations/${id}/messages/${messageId}`, opts(tk)),
    },
    {
      name: 'POST member',
      member: 204,
      call: (tk) =>
        t.http.request('POST', `/v1/conversations/${id}/members`, opts(tk, { userId: newcomer.userId })),
    },
    {
      name: 'DELETE another member',
      member: 403,
      call: (tk) => t.http.request('DELETE', `/v1/conversations/${id}/members/${creator.userId}`, opts(tk)),
    },
    {
      name: 'POST read marker',
      member: 204,
      call: (tk) => t.http.request('POST', `/v1/conversations/${id}/read`, opts(tk, { messageId })),
    },
  ];
});

const expected: Record<Exclude<Role, 'member'>, number> = {
  'former member': 403,
  outsider: 403,
  anonymous: 401,
};

describe('authorization matrix for every conversation route', () => {
  for (const role of ['member', 'former member', 'outsider', 'anonymous'] as const) {
    it(`as ${role}`, async () => {
      const token = role === 'anonymous' ? undefined : people[role].token;
      for (const route of routes) {
        const response = await route.call(token);
        const want = role === 'member' ? route.member : expected[role];
        expect({ route: route.name, status: response.status }).toEqual({ route: route.name, status: want });
        if (want >= 400) expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
      }
    });
  }

  it('never lets a token speak for another user: the acting user comes from the token only', async () => {
    const spoof = await t.http.request('POST', '/v1/messages', {
      token: people.outsider.token,
      body: { to: people.member.username, body: 'hi', senderId: creator.userId },
    });
    expect(spoof.status).toBe(400);
  });
});
