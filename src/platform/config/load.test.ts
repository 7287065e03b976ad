import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isCaduceeError } from '../errors/index.ts';
import { loadSettings, variableName } from './load.ts';

describe('settings', () => {
  it('names variables after setting paths', () => {
    assert.equal(variableName('idp.url'), 'CADUCEE_IDP_URL');
    assert.equal(
      variableName('directory.contactChangeDelayHours'),
      'CADUCEE_DIRECTORY_CONTACT_CHANGE_DELAY_HOURS',
    );
  });

  it('layers defaults < config file < environment, and records where each value came from', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'caducee-config-'));
    writeFileSync(
      path.join(cwd, 'caducee.config.json'),
      JSON.stringify({ logLevel: 'debug', directory: { contactChangeDelayHours: 24, searchLimit: 50 } }),
    );
    const { settings, origins } = loadSettings({ cwd, env: { CADUCEE_DIRECTORY_SEARCH_LIMIT: '30' } });
    assert.equal(settings.logLevel, 'debug');
    assert.equal(settings.directory.contactChangeDelayHours, 24);
    assert.equal(settings.directory.searchLimit, 30);
    assert.equal(settings.directory.inactivationThreshold, 0.05);
    assert.equal(settings.dataDir, path.join(cwd, 'data'));
    assert.equal(origins['directory.searchLimit'], 'CADUCEE_DIRECTORY_SEARCH_LIMIT');
    assert.equal(origins['directory.contactChangeDelayHours'], path.join(cwd, 'caducee.config.json'));
  });

  it('lists every problem at once', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'caducee-config-'));
    writeFileSync(path.join(cwd, 'caducee.config.json'), JSON.stringify({ directory: { unknownKey: 1 } }));
    try {
      loadSettings({
        cwd,
        env: { CADUCEE_DIRECTORY_SEARCH_LIMIT: 'many', CADUCEE_DATABASE_URL: 'mysql://x' },
      });
      assert.fail('should throw');
    } catch (error) {
      assert.ok(isCaduceeError(error));
      assert.equal(error.code, 'CONFIG_INVALID');
      const problems = error.details.problems as string[];
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.ok(problems.some((p) => p.startsWith('directory.searchLimit (CADUCEE_DIRECTORY_SEARCH_LIMIT)')));
      assert.ok(problems.some((p) => p.startsWith('databaseUrl (CADUCEE_DATABASE_URL)')));
      assert.ok(problems.some((p) => p.includes('unknownKey')));
    }
  });
});
