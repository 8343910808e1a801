import { describe, expect, it } from 'vitest';
import { signUp } from '../support/http-client.js';
import { uniqueName, useTestSystem } from '../support/system.js';
import { realtimeUrl, TestClient } from '../support/ws-client.js';

const t = useTestSystem();
const password = 'correct horse battery';

/** A socket opened with a fresh login (a session of its own), live once its first pong arrives. */
async function socketOf(
  username: string,
): Promise<{ socket: TestClient; token: string; refreshToken: string }> {
  const login = await t.http.post('/v1/auth/token', { username, password });
  expect(login.status).toBe(200);
  const token = login.body.access_token as string;
  const socket = await TestClient.open(realtimeUrl(t.system.realtimePort!, token));
  socket.send({ type: 'ping' });
  await socket.next((frame) => frame.type === 'pong');
  return { socket, token, refreshToken: login.body.refresh_token as string };
}

describe('sockets end with what ends their session', () => {
  it('closes the socket of a session logged out, and only that one', async () => {
    const user = await signUp(t.http, uniqueName('logout'), password);
    const phone = await socketOf(user.username);
    const laptop = await socketOf(user.username);
    const logout = await t.http.post('/v1/auth/logout', { refresh_token: phone.refreshToken });
    expect(logout.status).toBe(204);
    expect(await phone.socket.untilClosed()).toEqual({ code: 4002, reason: 'session ended' });
    laptop.socket.send({ type: 'ping' });
    await laptop.socket.next((frame) => frame.type === 'pong');
    expect(laptop.socket.closedWith).toBeUndefined();
    await laptop.socket.close();
  });

  it('closes every other session of a user whose password changed', async () => {
    const user = await signUp(t.http, uniqueName('password'), password);
    const other = await socketOf(user.username);
    const changer = await socketOf(user.username);
    const changed = await t.http.post(
      '/v1/me/password',
      { currentPassword: password, newPassword: 'another horse battery' },
      { token: changer.token },
    );
    expect(changed.status).toBe(204);
    expect(await other.socket.untilClosed()).toEqual({ code: 4002, reason: 'session ended' });
    changer.socket.send({ type: 'ping' });
    await changer.socket.next((frame) => frame.type === 'pong');
    expect(changer.socket.closedWith).toBeUndefined();
    await changer.socket.close();
  });

  it("closes an erased user's sockets with 4003", async () => {
    const user = await signUp(t.http, uniqueName('erased'), password);
    const { socket, token } = await socketOf(user.username);
    const erased = await t.http.delete('/v1/me', { body: { password }, token });
    expect(erased.status).toBe(204);
    expect(await socket.untilClosed()).toEqual({ code: 4003, reason: 'unknown user' });
  });
});
