import { createTransport } from 'nodemailer';
import type { Logger } from './logger.js';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it could not be delivered. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL (credentials may be in it); without one, mails go to the log. */
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly logger: Logger;
}

/**
 * Sends mail over SMTP with nodemailer. Without an SMTP URL (development), each mail is written
 * to the log at info level instead: the log is then the delivery channel, codes included.
 */
export function createMailer(options: MailerOptions): Mailer {
  if (!options.smtpUrl) {
    return {
      async send(message) {
        options.logger.info(
          { mail: { from: options.from, ...message } },
          'mail written to the log instead of sent: SMTP_URL is not set',
        );
      },
      async close() {},
    };
  }
  const transport = createTransport(
    {
      url: options.smtpUrl,
      // Bounded so that a server that hangs cannot hold sends (and their sockets) for minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    },
    { from: options.from },
  );
  return {
    async send(message) {
      await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
    },
    async close() {
      transport.close();
    },
  };
}
