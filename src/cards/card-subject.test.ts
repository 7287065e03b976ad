import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXTRA_NAMES, x509 } from '../pki/index.ts';
import { cardSubject, readCardHolder } from './card-subject.ts';

describe('card subject', () => {
  it('writes the IGC-Santé multi-valued RDN and reads it back', () => {
    const name = cardSubject({
      idnat: '899700075122',
      surname: 'PHARMACH0007512',
      givenName: 'CAROLE',
      title: 'Pharmacien',
    });
    assert.equal(name.toString(), 'SN=PHARMACH0007512+CN=899700075122+GN=CAROLE, title=Pharmacien, C=FR');
    const json = name.toJSON();
    assert.equal(json.length, 3, 'three RDNs: the multi-valued one, title, country');
    assert.deepEqual(Object.keys(json[0]!).sort(), ['CN', 'GN', 'SN']);
    assert.deepEqual(readCardHolder(name), {
      idnat: '899700075122',
      surname: 'PHARMACH0007512',
      givenName: 'CAROLE',
      title: 'Pharmacien',
    });
  });

  it('reads an older ADELI card and the bare register number of other generations', () => {
    const adeli = new x509.Name(
      'GN=JEAN+SN=DUPONT+CN=0019200575, OU=Orthoptiste, O=CABINET, C=FR',
      EXTRA_NAMES,
    );
    assert.deepEqual(readCardHolder(adeli), {
      idnat: '0019200575',
      surname: 'DUPONT',
      givenName: 'JEAN',
      title: 'Orthoptiste',
    });
    const bare = new x509.Name('serialNumber=99700218896, CN=Jean Dupont, C=FR', EXTRA_NAMES);
    assert.equal(readCardHolder(bare, 'serialNumber')?.idnat, '899700218896');
  });

  it('finds no holder on a staff card', () => {
    assert.equal(readCardHolder(new x509.Name('CN=R10100000328372/1234567890, O=CLINIQUE, C=FR')), undefined);
  });
});
