import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIdpServer } from '../src/cli/servers.ts';
import { createLogger, type RunningServer } from '../src/platform/index.ts';
import {
  ACTIVITE_HEADER,
  extractDir,
  line,
  PSC_HEADER,
  REAL_ROWS,
  writeExtract,
} from './support/extracts.ts';
import { trustingFetch } from './support/https.ts';
import { type OpenedStore, storeCases } from './support/stores.ts';
import { type TestSystem, testSystem } from './support/system.ts';

/** Response bodies are read untyped: the tests assert their shape. */
const body = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

for (const storeCase of storeCases()) {
  describe(`directory HTTP API (${storeCase.kind})`, () => {
    let opened: OpenedStore;
    let server: RunningServer;
    let base: string;
    let test: TestSystem;
    let fetch: ReturnType<typeof trustingFetch>;

    before(async () => {
      opened = await storeCase.open();
      test = await testSystem(opened);
      const { system } = test;
      const dir = extractDir();
      await system.directory.importExtracts([
        writeExtract(dir, 'PS_LibreAcces_Personne_activite_202611250800.txt', [
          ACTIVITE_HEADER,
          REAL_ROWS.orthoptist,
          REAL_ROWS.doctor,
        ]),
        writeExtract(dir, 'Extraction_ProSanteConnect_Personne_activite_202611250800.txt', [
          PSC_HEADER,
          line(PSC_HEADER, {
            "Type d'identifiant PP": '8',
            'Identifiant PP': '10001045367',
            'Identification nationale PP': '810001045367',
            'Date de naissance': '01/02/1970',
            'Téléphone (coord. correspondance)': '0639980001',
            'Adresse e-mail (coord. correspondance)': 'nom5@example.test',
            'Code profession': '10',
          }),
        ]),
      ]);
      server = await startIdpServer(system, createLogger('silent'), test.ports.idp);
      base = server.url;
      fetch = trustingFetch((await test.system.tls()).caPem);
    });
    after(async () => {
      await server.close();
      test.dispose();
      await opened.dispose();
    });

    it('serves a person without the personal contact data of the restricted extract', async () => {
      const response = await fetch(`${base}/api/directory/persons/810001045367`);
      assert.equal(response.status, 200);
      const person = await body(response);
      assert.equal(person.exercices[0].profession.label, 'Médecin');
      assert.deepEqual(person.contact, { hasEmail: true, hasMobile: true });
      const text = JSON.stringify(person);
      assert.doesNotMatch(text, /nom5@example\.test|0639980001|01\/02\/1970/);
      assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    });

    it('searches, and answers errors as JSON with their stable code', async () => {
      const search = await body(fetch(`${base}/api/directory/persons?name=NOM&profession=92`));
      assert.deepEqual(
        search.results.map((r: { nationalId: string }) => r.nationalId),
        ['0019200575'],
      );
      const notFound = await fetch(`${base}/api/directory/persons/899700218896`);
      assert.equal(notFound.status, 404);
      assert.equal((await body(notFound)).error.code, 'DIRECTORY_PERSON_NOT_FOUND');
      const invalid = await fetch(`${base}/api/directory/persons/123`);
      assert.equal(invalid.status, 400);
      assert.equal((await body(invalid)).error.code, 'DIRECTORY_INVALID_NATIONAL_ID');
      const noCriterion = await fetch(`${base}/api/directory/persons`);
      assert.equal(noCriterion.status, 400);
      assert.match((await body(noCriterion)).error.hint, /au moins un critère/);
    });

    it('publishes its OpenAPI document, health and metrics', async () => {
      const openapi = await body(fetch(`${base}/api/directory/openapi.json`));
      assert.equal(openapi.openapi, '3.1.0');
      assert.ok(openapi.paths['/api/directory/persons/{idnat}']);
      assert.equal((await fetch(`${base}/health/live`)).status, 200);
      assert.deepEqual(await body(fetch(`${base}/health/ready`)), { status: 'ok', service: 'idp' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /caducee_http_requests_total\{service="idp",method="GET",route="\/api\/directory\/persons\/:idnat",status="200"\}/,
      );
    });

    it('shows an HTML page, not JSON, to a browser on an unknown page', async () => {
      const page = await fetch(`${base}/nowhere`, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 404);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /<html lang="fr">[\s\S]*La page \/nowhere introuvable/);
    });
  });
}
