import { EXTRA_NAMES, x509 } from '../pki/index.ts';

/**
 * The holder as written in a card certificate's subject. IGC-Santé card subjects start with a
 * multi-valued RDN, `SN=<nom>+CN=<national id>+GN=<prénom>, title=<profession>, C=FR` (older
 * ADELI cards: `GN+SN+CN=0<ADELI>, OU=<profession>, O=…, C=FR`); naive DN parsers split the
 * `+`-joined RDN wrongly, so this reads the ASN.1 structure.
 */
export interface CardHolder {
  idnat: string;
  surname: string;
  givenName: string;
  title: string;
}

const OIDS: Record<string, string> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  GN: '2.5.4.42',
  G: '2.5.4.42',
  title: '2.5.4.12',
  T: '2.5.4.12',
  OU: '2.5.4.11',
  serialNumber: '2.5.4.5',
};

/** The subject of a new card for a directory person. */
export function cardSubject(holder: CardHolder): x509.Name {
  return new x509.Name(
    [
      { SN: [holder.surname], CN: [holder.idnat], GN: [holder.givenName] },
      { title: [holder.title] },
      { C: ['FR'] },
    ] as unknown as x509.JsonNameParams,
    EXTRA_NAMES,
  );
}

function values(name: x509.Name, attribute: string): string[] {
  const oid = OIDS[attribute] ?? attribute;
  return name.getField(oid);
}

/**
 * Reads the holder from a certificate subject; `idnatAttribute` is the setting naming the
 * attribute that carries the national identifier. Returns undefined when there is none (staff
 * cards `CN=<structure>/<card>`, foreign certificates).
 */
export function readCardHolder(subject: x509.Name, idnatAttribute = 'CN'): CardHolder | undefined {
  const raw = values(subject, idnatAttribute)
    .find((value) => /^\d{9,12}$/.test(value.trim()))
    ?.trim();
  if (!raw) return undefined;
  // Some generations carry the bare register number: RPPS (11 digits) or ADELI (9).
  const idnat = raw.length === 11 ? `8${raw}` : raw.length === 9 ? `0${raw}` : raw;
  return {
    idnat,
    surname: values(subject, 'SN')[0] ?? '',
    givenName: values(subject, 'GN')[0] ?? '',
    title: values(subject, 'title')[0] ?? values(subject, 'OU')[0] ?? '',
  };
}
