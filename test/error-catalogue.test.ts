import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as cardErrors from '../src/cards/errors.ts';
import * as directoryErrors from '../src/directory/errors.ts';
import * as ecpsErrors from '../src/ecps/errors.ts';
import * as messagingErrors from '../src/messaging/errors.ts';
import * as oidcErrors from '../src/oidc/errors.ts';
import * as auditErrors from '../src/platform/audit/errors.ts';
import * as platformErrors from '../src/platform/errors/catalogue.ts';
import * as espaceMedecinErrors from '../src/rp/espace-medecin/errors.ts';

// The documented codes are a public contract: every code a domain can throw must be in docs/errors.md.
describe('error catalogue', () => {
  it('documents every code, and each code once', () => {
    const documented = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const codes = [
      ...Object.values(platformErrors),
      ...Object.values(auditErrors),
      ...Object.values(directoryErrors),
      ...Object.values(cardErrors),
      ...Object.values(oidcErrors),
      ...Object.values(ecpsErrors),
      ...Object.values(messagingErrors),
      ...Object.values(espaceMedecinErrors),
    ].map((factory) => factory.code);
    assert.equal(new Set(codes).size, codes.length, 'codes are unique');
    for (const code of codes)
      assert.match(documented, new RegExp(`\\| \`${code}\` +\\|`), `${code} is documented`);
  });

  it('renders parameters into French messages with a hint', () => {
    const error = directoryErrors.ExtractMalformedLine({ file: 'a.txt', line: 7, reason: 'trop de champs' });
    assert.equal(error.message, 'a.txt:7 : trop de champs.');
    assert.equal(error.status, 400);
    assert.ok(directoryErrors.ExtractMalformedLine.is(error));
    assert.match(error.hint ?? '', /Aucune donnée/);
    assert.deepEqual(error.details, { file: 'a.txt', line: 7, reason: 'trop de champs' });
  });
});
