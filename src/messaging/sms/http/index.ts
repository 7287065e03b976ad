import type { Logger } from '../../../platform/index.ts';
import { SmsNotSent } from '../../errors.ts';
import type { Sms, SmsSender } from '../../ports.ts';

export interface HttpSmsOptions {
  /** The gateway's endpoint, which accepts `POST {to, text, from}` as JSON. */
  url: string;
  /** Sent as `Authorization: Bearer …` when not empty. */
  token: string;
  /** Sender name shown on the phone (alphanumeric, ≤ 11 characters, or a number). */
  from: string;
  log?: Logger;
}

/** SMS through an HTTP gateway (a webhook in front of the operator's SMS provider). */
export function httpSmsSender(options: HttpSmsOptions): SmsSender {
  return {
    async send(sms: Sms) {
      let status: number;
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({ to: sms.to, text: sms.text, from: options.from }),
          redirect: 'error',
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        // The body is not needed; reading it frees the connection for the next SMS.
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        options.log?.warn({ err: error }, 'SMS not sent: gateway unreachable');
        throw SmsNotSent({}, error);
      }
      if (status < 200 || status > 299) {
        options.log?.warn({ status }, 'SMS not sent: gateway refused it');
        throw SmsNotSent({}, new Error(`SMS gateway answered HTTP ${status}`));
      }
    },
  };
}
