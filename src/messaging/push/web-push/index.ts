import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import path from 'node:path';
import webPush from 'web-push';
import type { Logger } from '../../../platform/index.ts';
import type { PushSender } from '../../ports.ts';

interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The VAPID key pair identifies this deployment to the browsers' push services; subscriptions are
 * bound to its public key, so every node must use the same pair (a file in the shared secrets).
 */
export function loadVapidKeys(file: string): VapidKeys {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, JSON.stringify(webPush.generateVAPIDKeys()), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
  }
  const keys = JSON.parse(readFileSync(file, 'utf8')) as VapidKeys;
  if (!keys.publicKey || !keys.privateKey)
    throw new Error(`${file}: VAPID keys expected ({publicKey, privateKey})`);
  return keys;
}

/** Web Push (RFC 8030, payload encrypted per RFC 8291, VAPID per RFC 8292) through `web-push`. */
export function webPushSender(options: {
  keys: VapidKeys;
  subject: string;
  log?: Logger;
  /** An HTTPS agent for a push service under a private CA (tests, closed networks). */
  agent?: Agent;
}): PushSender {
  const { keys, subject, log } = options;
  return {
    publicKey: keys.publicKey,
    async send(subscription, payload) {
      try {
        await webPush.sendNotification(subscription, JSON.stringify(payload), {
          vapidDetails: { subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
          TTL: 120,
          urgency: 'high',
          timeout: 5000,
          ...(options.agent ? { agent: options.agent } : {}),
        });
        return 'sent';
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) return 'gone';
        log?.warn({ err: error, endpoint: new URL(subscription.endpoint).origin }, 'web push not delivered');
        return 'failed';
      }
    },
  };
}
