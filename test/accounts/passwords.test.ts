import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, signUp, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem } from '../support/system.js';
import { uniqueName } from '../support/system.js';
import { startSmtpInbox, type ReceivedMail, type SmtpInbox } from './support/smtp-inbox.js';

const password = 'correct horse battery';

let inbox: SmtpInbox;
let db: TestDatabase;
let system: RunningSystem;
let http: HttpClient;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  db = await createTestDatabase();
  system = await startTestSystem(db.url, { SMTP_URL: inbox.url });
  http = httpClient(`http://127.0.0.1:${system.httpPort}`);
});
afterAll(async () => {
  await system?.stop();
  await db?.drop();
  await inbox?.close();
});

const login = (username: string, secret: string) =>
  http.post('/v1/auth/token', { username, password: secret });
const refresh = (token: string) => http.post('/v1/auth/refresh', { refresh_token: token });
const resetCodeIn = (mail: ReceivedMail) => /password-reset code is (\d{6})/.exec(mail.raw)?.[1] ?? '';

describe('POST /v1/me/password', () => {
  it('needs the current password and ends every other session', async () => {
    const user = await signUp(http, uniqueName('pw'));
    const other = await login(user.username, password);
    expect(other.status).toBe(200);

    const wrong = await http.post(
      '/v1/me/password',
      { currentPassword: 'not the password', newPassword: 'a new long password' },
      { token: user.token },
    );
    expect(wrong.status).toBe(401);
    const short = await http.post(
      '/v1/me/password',
      { currentPassword: password, newPassword: 'short' },
      { token: user.token },
    );
    expect(short.status).toBe(400);

    const changed = await http.post(
      '/v1/me/password',
      { currentPassword: password, newPassword: 'a new long password' },
      { token: user.token },
    );
    expect(changed.status).toBe(204);
    expect((await refresh(other.body.refresh_token as string)).status).toBe(401);
    expect((await refresh(user.refreshToken)).status).toBe(200);
    expect((await login(user.username, password)).status).toBe(401);
    expect((await login(user.username, 'a new long password')).status).toBe(200);
  });
});

describe('password reset by mailed code', () => {
  it('answers 202 alike for an unknown email, and mails nothing', async () => {
    const answer = await http.post('/v1/auth/password-reset', {
      email: `${uniqueName('nobody')}@example.com`,
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({});
  });

  it('sets a new password with a single-use code and ends every session', async () => {
    const user = await signUp(http, uniqueName('reset'));
    const email = `${user.username}@example.com`;
    await inbox.next(email); // the verification mail
    const asked = await http.post('/v1/auth/password-reset', { email });
    expect(asked.status).toBe(202);
    const code = resetCodeIn(await inbox.next(email));
    expect(code).toMatch(/^\d{6}$/);

    const wrongCode = code === '000000' ? '000001' : '000000';
    const wrong = await http.post('/v1/auth/password-reset/confirm', {
      email,
      code: wrongCode,
      newPassword: 'reset password 1',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.type).toMatch(/reset-code-invalid$/);

    const confirmed = await http.post('/v1/auth/password-reset/confirm', {
      email,
      code,
      newPassword: 'reset password 1',
    });
    expect(confirmed.status).toBe(204);
    const again = await http.post('/v1/auth/password-reset/confirm', {
      email,
      code,
      newPassword: 'reset password 2',
    });
    expect(again.status).toBe(400);

    expect((await refresh(user.refreshToken)).status).toBe(401);
    expect((await login(user.username, password)).status).toBe(401);
    expect((await login(user.username, 'reset password 1')).status).toBe(200);
  });

  it('refuses even the right code after too many wrong ones, for unknown and known emails alike', async () => {
    const user = await signUp(http, uniqueName('guess'));
    const email = `${user.username}@example.com`;
    await inbox.next(email);
    await http.post('/v1/auth/password-reset', { email });
    const code = resetCodeIn(await inbox.next(email));
    const wrongCode = code === '000000' ? '000001' : '000000';
    const unknown = `${uniqueName('ghost')}@example.com`;
    for (let attempt = 0; attempt < 5; attempt++) {
      for (const address of [email, unknown]) {
        const answer = await http.post('/v1/auth/password-reset/confirm', {
          email: address,
          code: wrongCode,
          newPassword: 'reset password 1',
        });
        expect(answer.status).toBe(400);
      }
    }
    for (const address of [email, unknown]) {
      const refused = await http.post('/v1/auth/password-reset/confirm', {
        email: address,
        code,
        newPassword: 'reset password 1',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.type).toMatch(/reset-attempts-exhausted$/);
    }
    expect((await login(user.username, password)).status).toBe(200);
  });
});
