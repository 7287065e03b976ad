import assert from 'node:assert/strict';
import { it } from 'node:test';
import { atMostEvery } from './at-most-every.ts';

it('says yes at most once per interval of the instants given', () => {
  let now = new Date('2026-11-26T10:00:00Z');
  const due = atMostEvery(60_000);
  assert.equal(due(now), true);
  assert.equal(due(now), false);
  now = new Date(now.getTime() + 30_000);
  assert.equal(due(now), false);
  now = new Date(now.getTime() + 36_000);
  assert.equal(due(now), true);
});
