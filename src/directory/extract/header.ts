/**
 * Column names vary between extract generations ("Code Département (structure)" vs "Code
 * département (coord. structure)") and ANS appends columns at will: columns are found by a
 * normalised name, never by position.
 */
export function normalizeHeader(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/\p{Diacritic}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .split(' ')
      // "(coord. structure)" and "(structure)" name the same thing across generations.
      .filter((word) => word !== '' && word !== 'coord')
      .join(' ')
  );
}
