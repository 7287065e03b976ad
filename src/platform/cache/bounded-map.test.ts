import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BoundedMap } from './bounded-map.ts';

it('keeps at most its size, forgetting the oldest inserted first', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1);
  map.set('b', 2);
  map.set('c', 3);
  assert.equal(map.size, 2);
  assert.equal(map.get('a'), undefined);
  assert.equal(map.get('b'), 2);
  assert.equal(map.get('c'), 3);
});

it('replacing a known key forgets nothing else', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1);
  map.set('b', 2);
  map.set('b', 20);
  assert.deepEqual([map.get('a'), map.get('b'), map.size], [1, 20, 2]);
});

it('needs a size', () => {
  assert.throws(() => new BoundedMap(0), RangeError);
});
