import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { createMailer } from '../../src/platform/mailer.js';
import { startSmtpInbox } from './support/smtp-inbox.js';

/** What `npm start` runs with: development defaults allowed. */
const DEV = { NODE_ENV: 'development' } as const;

describe('mail configuration', () => {
  it('takes smtp:// and smtps:// URLs and refuses anything else, naming the variable', () => {
    expect(loadConfig(DEV).smtpUrl).toBeUndefined();
    expect(loadConfig({ ...DEV, SMTP_URL: 'smtps://user:pass@mail.example.com:465' }).smtpUrl).toBe(
      'smtps://user:pass@mail.example.com:465',
    );
    expect(() => loadConfig({ ...DEV, SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ ...DEV, SMTP_URL: 'smtp://' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...DEV, MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ ...DEV, MAIL_FROM: 'a@b\r\nBcc: x@y' })).toThrow(/MAIL_FROM/);
  });

  it('has login limits and a verification lifetime with defaults, each configurable', () => {
    expect(loadConfig(DEV)).toMatchObject({
      emailVerificationTtlSeconds: 86_400,
      loginLimits: { maxFailures: 5, failureWindowSeconds: 900, maxAttemptsPerIp: 30, ipWindowSeconds: 60 },
    });
    expect(loadConfig({ ...DEV, LOGIN_MAX_FAILURES: '10' }).loginLimits.maxFailures).toBe(10);
    expect(() => loadConfig({ ...DEV, LOGIN_MAX_FAILURES: '0' })).toThrow(/LOGIN_MAX_FAILURES/);
    expect(() => loadConfig({ ...DEV, EMAIL_VERIFICATION_TTL_SECONDS: 'a day' })).toThrow(
      /EMAIL_VERIFICATION_TTL_SECONDS/,
    );
  });
});

describe('createMailer', () => {
  it('writes the mail to the log at info level when no SMTP URL is set', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'Chat <a@b.c>',
      logger: pino({ level: 'info' }, sink),
    });
    await mailer.send({ to: 'x@y.z', subject: 'Hi', text: 'code 123456' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        mail: { from: 'Chat <a@b.c>', to: 'x@y.z', subject: 'Hi', text: 'code 123456' },
      }),
    ]);
  });

  it('sends over SMTP and rejects when the server cannot be reached', async () => {
    const inbox = await startSmtpInbox();
    const logger = pino({ level: 'silent' });
    const mailer = createMailer({ smtpUrl: inbox.url, from: 'Chat <a@b.c>', logger });
    await mailer.send({ to: 'x@y.z', subject: 'Hi', text: 'hello there' });
    expect((await inbox.next('x@y.z')).raw).toMatch(/hello there/);
    await inbox.close();
    await expect(mailer.send({ to: 'x@y.z', subject: 'Hi', text: 'again' })).rejects.toThrow();
    await mailer.close();
  });
});
