import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asCaduceeError } from './render.ts';
import { describeStoreFailure } from './store-failure.ts';

const withCode = (message: string, code: string, extra: object = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe('store failures', () => {
  it('recognises a database that is down, restarting, cut off or locked', () => {
    assert.deepEqual(describeStoreFailure(withCode('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED')), {
      store: 'PostgreSQL',
      reason: 'connexion refusée',
    });
    const both = new AggregateError([withCode('::1', 'ECONNREFUSED'), withCode('127.0.0.1', 'ECONNREFUSED')]);
    assert.equal(describeStoreFailure(both)?.reason, 'connexion refusée');
    assert.equal(
      describeStoreFailure(new Error('Connection terminated unexpectedly'))?.reason,
      'connexion interrompue',
    );
    assert.equal(describeStoreFailure(withCode('terminating connection', '57P01'))?.store, 'PostgreSQL');
    assert.equal(describeStoreFailure(withCode('x', '08006'))?.reason, 'connexion perdue');
    assert.equal(
      describeStoreFailure(withCode('database is locked', 'ERR_SQLITE_ERROR', { errcode: 5 }))?.store,
      'SQLite',
    );
    assert.equal(
      describeStoreFailure(new Error('wrapped', { cause: withCode('x', '57P03') }))?.store,
      'PostgreSQL',
    );
  });

  it('recognises what ioredis rejects a command with while Redis is away, and says where to look', () => {
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
      name: 'MaxRetriesPerRequestError',
    });
    assert.deepEqual(describeStoreFailure(maxRetries), { store: 'Redis', reason: 'connexion perdue' });
    assert.equal(describeStoreFailure(new Error('Command timed out'))?.reason, 'délai de réponse dépassé');
    assert.equal(describeStoreFailure(new Error('Connection is closed.'))?.store, 'Redis');
    const { error } = asCaduceeError(maxRetries);
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.match(error.message, /Redis/);
    assert.match(error.hint ?? '', /CADUCEE_REDIS_URL/);
  });

  it('leaves every other database error to INTERNAL_ERROR', () => {
    for (const error of [
      withCode('duplicate key value', '23505'),
      withCode('syntax error', '42601'),
      withCode('UNIQUE constraint failed', 'ERR_SQLITE_ERROR', { errcode: 19 }),
      new TypeError('x is undefined'),
      // Another service down (a fetch by a relying party): not the database.
      new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
      'a string',
      undefined,
    ]) {
      assert.equal(describeStoreFailure(error), undefined);
    }
  });

  it("renders a NUL character PostgreSQL refused as the request's fault (400), not an internal error", () => {
    const { error, reference } = asCaduceeError(
      withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'),
    );
    assert.equal(error.code, 'BAD_REQUEST');
    assert.equal(error.status, 400);
    assert.equal(reference, undefined);
    assert.match(error.message, /caractère non admis/);
  });

  it('renders a down database as STORE_UNAVAILABLE without its address', () => {
    const { error, reference } = asCaduceeError(
      withCode('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'),
    );
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.equal(error.status, 503);
    assert.equal(reference, undefined);
    assert.doesNotMatch(error.message, /10\.0\.0\.5/);
  });
});
