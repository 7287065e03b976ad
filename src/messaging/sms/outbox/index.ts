import type { Logger } from '../../../platform/index.ts';
import { SmsNotSent } from '../../errors.ts';
import type { Outbox } from '../../outbox/outbox.ts';
import type { Sms, SmsSender } from '../../ports.ts';

/** SMS in the embedded default: written to the dev outbox, where people and tests read them. */
export function outboxSmsSender(outbox: Outbox, log?: Logger): SmsSender {
  return {
    async send(sms: Sms) {
      try {
        await outbox.add({ kind: 'sms', to: sms.to, subject: null, text: sms.text, html: null });
      } catch (error) {
        log?.warn({ err: error }, 'SMS not written to the dev outbox');
        throw SmsNotSent({}, error);
      }
    },
  };
}
