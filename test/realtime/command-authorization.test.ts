import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type HttpResponse } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';
import { command, type Answer } from './support/commands.js';

/*
 * Every case answered over HTTP and over the socket, by members, former members and outsiders:
 * the socket's `error` carries the status and problem document the route gives, its `ack` the
 * route's success body.
 */

const t = useTestSystem();
type User = Awaited<ReturnType<typeof signUp>>;
type Role = 'member' | 'former member' | 'outsider';

interface Case {
  readonly name: string;
  readonly http: (user: User) => Promise<HttpResponse>;
  readonly frame: () => Record<string, unknown>;
}

let creator: User;
const people = {} as Record<Role, User>;
const sockets = {} as Record<Role, TestClient>;
let cases: Case[];

beforeAll(async () => {
  creator = await signUp(t.http, uniqueName('creator'));
  people.member = await signUp(t.http, uniqueName('member'));
  people['former member'] = await signUp(t.http, uniqueName('former'));
  people.outsider = await signUp(t.http, uniqueName('outsider'));
  const blocker = await signUp(t.http, uniqueName('blocker'));
  const picky = await signUp(t.http, uniqueName('picky'));
  await t.http.request('PATCH', '/v1/me', { token: picky.token, body: { messagePolicy: 'contacts' } });
  const created = await t.http.post(
    '/v1/conversations',
    { title: 'Matrix', memberIds: [people.member.userId, people['former member'].userId] },
    { token: creator.token },
  );
  const id = created.body.conversationId as string;
  const sent = await t.http.post(`/v1/conversations/${id}/messages`, { body: 'x' }, { token: creator.token });
  const messageId = sent.body.messageId as string;
  await t.http.delete(`/v1/conversations/${id}/members/${people['former member'].userId}`, {
    token: people['former member'].token,
  });
  for (const role of Object.keys(people) as Role[]) {
    await t.http.post('/v1/blocks', { userId: people[role].userId }, { token: blocker.token });
    sockets[role] = await TestClient.open(realtimeUrl(t.system.realtimePort!, people[role].token));
  }
  const unknown = randomUUID();
  const token = (user: User) => ({ token: user.token });
  cases = [
    {
      name: 'send to the group',
      http: (u) => t.http.post(`/v1/conversations/${id}/messages`, { body: 'hello' }, token(u)),
      frame: () => ({ type: 'send', conversationId: id, body: 'hello' }),
    },
    {
      name: 'send a blank body',
      http: (u) => t.http.post(`/v1/conversations/${id}/messages`, { body: '   ' }, token(u)),
      frame: () => ({ type: 'send', conversationId: id, body: '   ' }),
    },
    {
      name: 'send to a conversation that does not exist',
      http: (u) => t.http.post(`/v1/conversations/${unknown}/messages`, { body: 'x' }, token(u)),
      frame: () => ({ type: 'send', conversationId: unknown, body: 'x' }),
    },
    {
      name: 'send to someone who blocks you',
      http: (u) => t.http.post('/v1/messages', { to: blocker.username, body: 'x' }, token(u)),
      frame: () => ({ type: 'send', to: blocker.username, body: 'x' }),
    },
    {
      name: 'send to someone who takes contacts only',
      http: (u) => t.http.post('/v1/messages', { to: picky.userId, body: 'x' }, token(u)),
      frame: () => ({ type: 'send', to: picky.userId, body: 'x' }),
    },
    {
      name: 'send to nobody',
      http: (u) => t.http.post('/v1/messages', { to: 'no_such_user_here', body: 'x' }, token(u)),
      frame: () => ({ type: 'send', to: 'no_such_user_here', body: 'x' }),
    },
    {
      name: "edit someone else's message",
      http: (u) =>
        t.http.request('PATCH', `/v1/conversations/${id}/messages/${messageId}`, {
          ...token(u),
          body: { body: 'mine now' },
        }),
      frame: () => ({ type: 'edit', conversationId: id, messageId, body: 'mine now' }),
    },
    {
      name: "delete someone else's message",
      http: (u) => t.http.delete(`/v1/conversations/${id}/messages/${messageId}`, token(u)),
      frame: () => ({ type: 'delete', conversationId: id, messageId }),
    },
    {
      name: 'mark an unknown message read',
      http: (u) => t.http.post(`/v1/conversations/${id}/read`, { messageId: unknown }, token(u)),
      frame: () => ({ type: 'read', conversationId: id, messageId: unknown }),
    },
    {
      name: 'mark a message read',
      http: (u) => t.http.post(`/v1/conversations/${id}/read`, { messageId }, token(u)),
      frame: () => ({ type: 'read', conversationId: id, messageId }),
    },
  ];
});

afterAll(async () => {
  await Promise.all(Object.values(sockets).map((socket) => socket.close()));
});

/** What a client can compare of an answer: the status, the problem type, the body's fields. */
function viaHttp(response: HttpResponse) {
  const ok = response.status < 300;
  return {
    status: response.status,
    type: ok ? undefined : (response.body.type as string),
    fields: ok ? Object.keys(response.body ?? {}).sort() : undefined,
  };
}
function viaSocket(answer: Answer, httpStatus: number) {
  if (answer.type === 'error')
    return { status: answer.status, type: answer.problem?.type, fields: undefined };
  // A 204 has no body; its ack reports what X-Position says.
  const fields = httpStatus === 204 ? [] : Object.keys(answer.data ?? {}).sort();
  return { status: httpStatus < 300 ? httpStatus : -1, type: undefined, fields };
}

describe('socket commands answer as the HTTP routes do', () => {
  for (const role of ['member', 'former member', 'outsider'] as const) {
    it(`for a ${role}`, async () => {
      for (const each of cases) {
        const http = viaHttp(await each.http(people[role]));
        const socket = viaSocket(await command(sockets[role], each.frame()), http.status);
        expect({ case: each.name, ...socket }).toEqual({ case: each.name, ...http });
        if (socket.type === undefined) expect(http.status).toBeLessThan(300);
      }
    });
  }

  it('gives the problem document itself, not only its status', async () => {
    const http = await cases[6]!.http(people.member);
    const answer = await command(sockets.member, cases[6]!.frame());
    expect(answer.problem).toEqual(http.body);
  });
});
