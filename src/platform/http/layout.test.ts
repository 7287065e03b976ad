import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CaduceeError } from '../errors/index.ts';
import { errorSection } from './layout.ts';

const failure = new CaduceeError(
  { code: 'CARD_NOT_PRESENTED', status: 401 },
  "Aucune carte CPS n'a été présentée.",
  { hint: 'Vérifiez que la carte est insérée <à fond>.' },
);

describe('errorSection', () => {
  it('is empty when nothing failed', () => {
    assert.equal(errorSection(undefined), '');
  });

  it('puts the message, the hint and the code to quote in one announced alert, escaped', async () => {
    const section = String(await errorSection(failure));
    assert.match(section, /^<div class="status error" role="alert">/);
    assert.match(section, /<p>Aucune carte CPS n&#39;a été présentée\.<\/p>/);
    assert.match(section, /<p>Vérifiez que la carte est insérée &lt;à fond&gt;\.<\/p>/);
    assert.match(section, /<p class="muted">Code : CARD_NOT_PRESENTED<\/p>\s*<\/div>$/);
  });

  it('adds the heading, the lead and the anchor a page asks for', async () => {
    const section = String(
      await errorSection(failure, {
        heading: "La connexion n'a pas abouti",
        lead: 'Carte non lue.',
        id: 'erreur',
      }),
    );
    assert.match(section, /role="alert" id="erreur">/);
    assert.match(section, /<h2>La connexion n&#39;a pas abouti<\/h2>/);
    assert.match(section, /<p><strong>Carte non lue\.<\/strong> Aucune carte/);
  });

  it('leaves out the hint when there is none', async () => {
    const bare = new CaduceeError({ code: 'STORE_UNAVAILABLE', status: 503 }, 'Base indisponible.');
    const section = String(await errorSection(bare));
    assert.equal((section.match(/<p/g) ?? []).length, 2);
  });
});
