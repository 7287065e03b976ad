import { Hono } from 'hono';
import type { Directory } from '../directory.ts';
import { InvalidSearch } from '../errors.ts';
import { directoryOpenApi } from './openapi.ts';
import { publicPerson } from './public-person.ts';

/** The directory's JSON API, to mount at `/api/directory`. Errors go to the app's renderer. */
export function directoryRoutes(directory: Directory): Hono {
  const api = new Hono();
  api.get('/openapi.json', (c) => c.json(directoryOpenApi));
  api.get('/persons/:idnat', async (c) => c.json(publicPerson(await directory.get(c.req.param('idnat')))));
  api.get('/persons', async (c) => {
    const query = c.req.query();
    const limit = query.limit === undefined ? undefined : Number(query.limit);
    if (limit !== undefined && !Number.isInteger(limit))
      throw InvalidSearch({ reason: `limite « ${query.limit} » invalide` });
    const results = await directory.search({
      name: query.name,
      profession: query.profession,
      specialty: query.specialty,
      postcode: query.postcode,
      id: query.id,
      limit,
    });
    return c.json({ results });
  });
  api.get('/stats', async (c) => {
    const stats = await directory.stats();
    return c.json({
      active: stats.active,
      inactive: stats.inactive,
      lastImport: stats.lastImport?.finishedAt ?? null,
    });
  });
  return api;
}
