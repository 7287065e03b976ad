import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadSettings } from '../config/index.ts';
import { isCaduceeError } from '../errors/index.ts';
import { clientAddress, limitedAddress, normaliseAddress, trustedProxies } from './client-address.ts';

const request = (peer: string, forwardedFor?: string | string[]) => ({
  socket: { remoteAddress: peer },
  headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
});

describe('client address', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const none = trustedProxies('');
    assert.equal(clientAddress(request('::ffff:203.0.113.9', '198.51.100.7'), none), '203.0.113.9');
    assert.equal(
      clientAddress(request('127.0.0.1', '198.51.100.7'), trustedProxies('10.0.0.1')),
      '127.0.0.1',
    );
  });

  it('from a trusted proxy, is the right-most X-Forwarded-For entry that is no trusted proxy', () => {
    const trusted = trustedProxies('10.0.0.0/8, ::1');
    // The client wrote the first entry itself: only what our proxies appended counts.
    assert.equal(
      clientAddress(request('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.9'), trusted),
      '198.51.100.7',
    );
    assert.equal(clientAddress(request('::1', ['1.2.3.4', '198.51.100.7']), trusted), '198.51.100.7');
    assert.equal(clientAddress(request('::ffff:10.1.2.3', '[2001:DB8::7]:443'), trusted), '2001:db8::7');
    assert.equal(clientAddress(request('10.0.0.2', '198.51.100.7:51234'), trusted), '198.51.100.7');
    // No header, or nothing but proxies: the last proxy seen.
    assert.equal(clientAddress(request('10.0.0.2'), trusted), '10.0.0.2');
    assert.equal(clientAddress(request('10.0.0.2', '10.0.0.3'), trusted), '10.0.0.3');
    // A proxy that wrote garbage is as far as we can see.
    assert.equal(clientAddress(request('10.0.0.2', '198.51.100.7, unknown'), trusted), '10.0.0.2');
  });

  it('normalises IPv4-mapped and upper-case IPv6 addresses', () => {
    assert.equal(normaliseAddress('::FFFF:192.0.2.1'), '192.0.2.1');
    assert.equal(normaliseAddress(' 2001:DB8::1 '), '2001:db8::1');
    assert.ok(trustedProxies('192.0.2.1').has('::ffff:192.0.2.1'));
  });

  it('is a validated setting: CADUCEE_HTTP_TRUSTED_PROXIES', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'caducee-config-'));
    const { settings } = loadSettings({ cwd, env: { CADUCEE_HTTP_TRUSTED_PROXIES: '10.0.0.0/8,::1' } });
    assert.equal(settings.http.trustedProxies, '10.0.0.0/8,::1');
    assert.equal(
      loadSettings({ cwd, env: {} }).settings.http.trustedProxies,
      '',
      'trusts no proxy by default',
    );
    assert.throws(
      () => loadSettings({ cwd, env: { CADUCEE_HTTP_TRUSTED_PROXIES: 'proxy.local, 10.0.0.0/40' } }),
      (error: unknown) => {
        assert.ok(isCaduceeError(error));
        const problems = error.details.problems as string[];
        assert.equal(problems.length, 2, problems.join('\n'));
        assert.match(
          problems[0]!,
          /^http\.trustedProxies \(CADUCEE_HTTP_TRUSTED_PROXIES\) : « proxy\.local »/,
        );
        return true;
      },
    );
  });
});

describe('address counted by per-address limits', () => {
  it('counts an IPv4 address alone and an IPv6 address by its /64, however written', () => {
    assert.equal(limitedAddress('198.51.100.7'), '198.51.100.7');
    assert.equal(limitedAddress('::ffff:198.51.100.7'), '198.51.100.7');
    for (const written of [
      '2001:db8:1:2::1',
      '2001:0DB8:0001:0002:abcd:ef01:2345:6789',
      '[2001:db8:1:2::ffff]:443',
      '2001:db8:1:2:0:0:0:7%eth0',
    ]) {
      assert.equal(limitedAddress(written), '2001:db8:1:2::/64', written);
    }
    assert.equal(limitedAddress('2001:db8:1:3::1'), '2001:db8:1:3::/64');
    assert.equal(limitedAddress('::1'), '0:0:0:0::/64');
    assert.equal(limitedAddress('2001:db8::'), '2001:db8:0:0::/64');
    assert.equal(limitedAddress('64:ff9b:1:2::192.0.2.1'), '64:ff9b:1:2::/64');
    assert.equal(limitedAddress('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
  });
});
