import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Cards } from '../../cards/index.ts';
import type { Directory } from '../../directory/index.ts';

export interface DemoCard {
  idnat: string;
  name: string;
  profession: string;
  file: string;
  pin: string;
}

/**
 * Issues a virtual card to every demo professional who should hold one (each active identifier,
 * except an ADELI identifier that an RPPS one replaced), once; PINs are kept beside the cards.
 */
export async function ensureDemoCards(cards: Cards, directory: Directory): Promise<DemoCard[]> {
  const pinsFile = path.join(cards.cardsDir, 'codes-porteur.json');
  const pins: Record<string, string> = existsSync(pinsFile) ? JSON.parse(readFileSync(pinsFile, 'utf8')) : {};
  const ids = await directory.activeIds(1000);
  const persons = await Promise.all(ids.map((id) => directory.get(id)));
  const replaced = new Set(
    persons.flatMap((p) => p.otherIds.filter((o) => o.id !== p.nationalId).map((o) => o.id)),
  );
  const result: DemoCard[] = [];
  for (const person of persons) {
    if (replaced.has(person.nationalId)) continue;
    const file = path.join(cards.cardsDir, `${person.nationalId}.p12`);
    if (!existsSync(file) || !pins[person.nationalId]) {
      const issued = await cards.issue(person.nationalId, { out: file, actor: 'demo' });
      pins[person.nationalId] = issued.pin;
    }
    const exercice = person.exercices[0];
    result.push({
      idnat: person.nationalId,
      name: [exercice?.civiliteExercice?.label, exercice?.prenomExercice, exercice?.nomExercice]
        .filter(Boolean)
        .join(' '),
      profession: [exercice?.profession.label, exercice?.savoirFaire[0]?.label].filter(Boolean).join(', '),
      file,
      pin: pins[person.nationalId]!,
    });
  }
  writeFileSync(pinsFile, `${JSON.stringify(pins, null, 2)}\n`, { mode: 0o600 });
  // RPPS-based identities first: they are the ones most demos use.
  return result.sort(
    (a, b) =>
      Number(b.idnat.startsWith('8')) - Number(a.idnat.startsWith('8')) || a.idnat.localeCompare(b.idnat),
  );
}
