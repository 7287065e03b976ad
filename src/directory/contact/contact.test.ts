import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkContactValue, effectiveContact } from './contact.ts';

const extract = { email: 'old@x.test', mobile: '0639980001', contact_at: '2026-01-01T00:00:00.000Z' };

describe('correspondence contact', () => {
  it('keeps the old value in force until the change takes effect, field by field', () => {
    const changes = [{ email: 'new@x.test', mobile: null, effective_at: '2026-01-03T00:00:00.000Z' }];
    const during = effectiveContact(extract, changes, new Date('2026-01-02T23:59:59Z'));
    assert.equal(during.email, 'old@x.test');
    assert.equal(during.pending.length, 1);
    const afterDelay = effectiveContact(extract, changes, new Date('2026-01-03T00:00:00Z'));
    assert.deepEqual(afterDelay, { email: 'new@x.test', mobile: '0639980001', pending: [] });
  });

  it('lets a later extract value win over an older change, and an empty change remove the value', () => {
    const later = { ...extract, email: 'extract@x.test', contact_at: '2026-02-01T00:00:00.000Z' };
    const changes = [{ email: 'new@x.test', mobile: '', effective_at: '2026-01-03T00:00:00.000Z' }];
    const now = new Date('2026-03-01T00:00:00Z');
    assert.equal(effectiveContact(later, changes, now).email, 'extract@x.test');
    assert.equal(effectiveContact(extract, changes, now).mobile, null);
  });

  it('refuses values that are not an e-mail or a French mobile', () => {
    assert.doesNotThrow(() => checkContactValue('mobile', '06 39 98 00 01'));
    assert.doesNotThrow(() => checkContactValue('mobile', '+33639980001'));
    assert.throws(() => checkContactValue('mobile', '0139980001'), /mobile français/);
    assert.throws(() => checkContactValue('email', 'pas-un-email'), /nom@domaine/);
  });
});
