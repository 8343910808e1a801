import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFICATION_GUESSES } from '../../src/commands/email-verification.js';
import type { RunningSystem } from '../../src/system.js';
import { httpClient, type HttpClient } from '../support/http-client.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startTestSystem, PROBLEM_JSON, uniqueName } from '../support/system.js';
import { startSmtpInbox, verificationCodeIn, type SmtpInbox } from './support/smtp-inbox.js';

const password = 'correct horse battery';

interface Running {
  db: TestDatabase;
  system: RunningSystem;
  http: HttpClient;
}

async function start(env: Record<string, string>): Promise<Running> {
  const db = await createTestDatabase();
  const system = await startTestSystem(db.url, env);
  return { db, system, http: httpClient(`http://127.0.0.1:${system.httpPort}`) };
}

let inbox: SmtpInbox;
let main: Running;
/** Codes expire after a second here. */
let shortLived: Running;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  [main, shortLived] = await Promise.all([
    start({ SMTP_URL: inbox.url, MAIL_FROM: 'Chat <no-reply@chat.test>' }),
    start({ SMTP_URL: inbox.url, EMAIL_VERIFICATION_TTL_SECONDS: '1' }),
  ]);
});
afterAll(async () => {
  for (const running of [main, shortLived]) {
    await running?.system.stop();
    await running?.db.drop();
  }
  await inbox?.close();
});

async function register(http: HttpClient, prefix: string) {
  const username = uniqueName(prefix);
  const email = `${username}@example.com`;
  const response = await http.post('/v1/auth/register', { username, email, password });
  expect(response.status).toBe(201);
  return { username, email, userId: response.body.userId as string };
}

describe('email verification over SMTP', () => {
  it('mails a code at registration that verifies the email, shown by /v1/me', async () => {
    const user = await register(main.http, 'verify');
    const mail = await inbox.next(user.email);
    expect(mail.raw).toMatch(/^From: Chat <no-reply@chat\.test>/m);
    expect(mail.raw).toMatch(/^Subject: Your verification code/m);
    const code = verificationCodeIn(mail);

    const login = await main.http.post('/v1/auth/token', { username: user.username, password });
    const token = login.body.access_token as string;
    const before = await main.http.get('/v1/me', {
      token,
      headers: { 'x-min-position': (await main.system.store.headPosition()).toString() },
    });
    expect(before.body.emailVerified).toBe(false);

    const verified = await main.http.post('/v1/auth/verify-email', { email: user.email, code });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ userId: user.userId, emailVerified: true, position: expect.any(String) });

    const after = await main.http.get('/v1/me', {
      token,
      headers: { 'x-min-position': verified.body.position as string },
    });
    expect(after.body).toMatchObject({ userId: user.userId, email: user.email, emailVerified: true });

    // Verifying again with the same code is answered alike and writes nothing.
    const head = await main.system.store.headPosition();
    const again = await main.http.post('/v1/auth/verify-email', { email: user.email.toUpperCase(), code });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ userId: user.userId, emailVerified: true });
    expect(await main.system.store.headPosition()).toBe(head);
  });

  it('stores only a digest of the code, with the request and the user in each event', async () => {
    const user = await register(main.http, 'digest');
    const code = verificationCodeIn(await inbox.next(user.email));
    await main.http.post('/v1/auth/verify-email', { email: user.email, code });
    const events = await main.system.store.readStream(`user-${user.userId}`);
    expect(events.map((event) => event.type)).toEqual([
      'UserRegistered',
      'EmailVerificationIssued',
      'EmailVerified',
    ]);
    const standalone = new RegExp(`(^|[^0-9A-Za-z_-])${code}([^0-9A-Za-z_-]|$)`);
    for (const event of events) {
      expect(JSON.stringify(event.data)).not.toMatch(standalone);
      expect(event.metadata).toMatchObject({ correlationId: expect.any(String), userId: user.userId });
    }
    expect(events[1]!.data).toMatchObject({ codeDigest: expect.any(String), expiresAt: expect.any(String) });
  });

  it('refuses a wrong code with 400, and an unknown email with the very same answer', async () => {
    const user = await register(main.http, 'wrong');
    const code = verificationCodeIn(await inbox.next(user.email));
    const wrongCode = code === '000000' ? '111111' : '000000';
    const wrong = await main.http.post('/v1/auth/verify-email', { email: user.email, code: wrongCode });
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(wrong.body.type).toMatch(/verification-code-invalid$/);
    const unknown = await main.http.post('/v1/auth/verify-email', {
      email: `${uniqueName('nobody')}@example.com`,
      code,
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(wrong.body);
    // A malformed code is a validation error that touches nothing.
    const malformed = await main.http.post('/v1/auth/verify-email', { email: user.email, code: '12ab' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.type).toMatch(/validation$/);
    // One wrong try is not fatal.
    expect((await main.http.post('/v1/auth/verify-email', { email: user.email, code })).status).toBe(200);
  });

  it('refuses every try past the guesses allowed per address, alike whether or not it is registered', async () => {
    const user = await register(main.http, 'brute');
    const code = verificationCodeIn(await inbox.next(user.email));
    const wrongCode = code === '000000' ? '111111' : '000000';
    const nobody = `${uniqueName('nobody')}@example.com`;
    const answers: Record<string, unknown>[] = [];
    for (const email of [user.email, nobody]) {
      for (let i = 0; i < VERIFICATION_GUESSES.limit; i++) {
        const wrong = await main.http.post('/v1/auth/verify-email', { email, code: wrongCode });
        expect(wrong.status).toBe(400);
        expect(wrong.body.type).toMatch(/verification-code-invalid$/);
      }
      const refused = await main.http.post('/v1/auth/verify-email', { email, code });
      expect(refused.status).toBe(400);
      expect(refused.body.type).toMatch(/verification-attempts-exhausted$/);
      answers.push(refused.body);
    }
    expect(answers[0]).toEqual(answers[1]);
  });

  it('answers resend with 202 whether or not the address is registered, and stops mailing past a limit', async () => {
    const unknown = await main.http.post('/v1/auth/resend-verification', {
      email: `${uniqueName('ghost')}@example.com`,
    });
    expect(unknown.status).toBe(202);
    expect(unknown.body).toEqual({});

    const user = await register(main.http, 'resend');
    await inbox.next(user.email);
    for (let i = 0; i < 7; i++) {
      expect((await main.http.post('/v1/auth/resend-verification', { email: user.email })).status).toBe(202);
    }
    for (let i = 0; i < 5; i++) await inbox.next(user.email);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(inbox.next(user.email, 200)).rejects.toThrow(/no mail/);
    // A resend does not cancel the codes already mailed: an older one still works (the five
    // latest are kept; six went out here).
    const mails = inbox.mails.filter((mail) => mail.to.includes(user.email));
    expect(mails).toHaveLength(6);
    const first = verificationCodeIn(mails[1]!);
    expect((await main.http.post('/v1/auth/verify-email', { email: user.email, code: first })).status).toBe(
      200,
    );
  });

  it('refuses the right code once it has expired', async () => {
    const user = await register(shortLived.http, 'expiry');
    const code = verificationCodeIn(await inbox.next(user.email));
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const expired = await shortLived.http.post('/v1/auth/verify-email', { email: user.email, code });
    expect(expired.status).toBe(400);
    expect(expired.body.type).toMatch(/verification-code-expired$/);
  });

  it('still registers (201) and accepts resends (202) when the SMTP server is down', async () => {
    await inbox.close();
    const user = await register(main.http, 'nosmtp');
    expect((await main.http.post('/v1/auth/resend-verification', { email: user.email })).status).toBe(202);
    const login = await main.http.post('/v1/auth/token', { username: user.username, password });
    expect(login.status).toBe(200);
  });
});
