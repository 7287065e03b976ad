/** OpenAPI 3.1 description of the directory's JSON API (served at /api/directory/openapi.json). */
const coded = {
  type: 'object',
  properties: { code: { type: 'string' }, label: { type: ['string', 'null'] } },
  required: ['code', 'label'],
};
const nullableCoded = { oneOf: [coded, { type: 'null' }] };
const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        hint: { type: 'string' },
        details: { type: 'object' },
      },
      required: ['code', 'message'],
    },
  },
};

export const directoryOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'Caducée — annuaire des professionnels de santé',
    version: '1',
    description: 'Read access to the directory built from the Annuaire Santé extracts (RPPS/ADELI).',
  },
  paths: {
    '/api/directory/persons/{idnat}': {
      get: {
        summary: 'A professional by national identifier (8 + RPPS or 0 + ADELI), active or not',
        parameters: [
          {
            name: 'idnat',
            in: 'path',
            required: true,
            schema: { type: 'string', pattern: '^[0-9]{10,12}$' },
          },
        ],
        responses: {
          200: {
            description: 'The person',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Person' } } },
          },
          400: {
            description: 'Invalid identifier (DIRECTORY_INVALID_NATIONAL_ID)',
            content: { 'application/json': { schema: error } },
          },
          404: {
            description: 'Unknown identifier (DIRECTORY_PERSON_NOT_FOUND)',
            content: { 'application/json': { schema: error } },
          },
        },
      },
    },
    '/api/directory/persons': {
      get: {
        summary: 'Search active professionals (at least one criterion)',
        parameters: [
          {
            name: 'name',
            in: 'query',
            schema: { type: 'string' },
            description: "Prefix of the nom d'exercice; a second word filters the prénom",
          },
          {
            name: 'profession',
            in: 'query',
            schema: { type: 'string' },
            description: 'Profession code (TRE_G15/R94/R95)',
          },
          {
            name: 'specialty',
            in: 'query',
            schema: { type: 'string' },
            description: 'Savoir-faire code, e.g. SM54',
          },
          {
            name: 'postcode',
            in: 'query',
            schema: { type: 'string' },
            description: 'Postcode or its first digits',
          },
          {
            name: 'id',
            in: 'query',
            schema: { type: 'string' },
            description: 'National identifier, RPPS or ADELI number',
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        ],
        responses: {
          200: {
            description: 'Matching persons, ordered by name',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    results: { type: 'array', items: { $ref: '#/components/schemas/PersonSummary' } },
                  },
                },
              },
            },
          },
          400: {
            description: 'No or invalid criterion (DIRECTORY_INVALID_SEARCH)',
            content: { 'application/json': { schema: error } },
          },
        },
      },
    },
    '/api/directory/stats': {
      get: {
        summary: 'Active and inactive persons, last import',
        responses: { 200: { description: 'Counts' } },
      },
    },
  },
  components: {
    schemas: {
      Person: {
        type: 'object',
        required: ['nationalId', 'idType', 'idPP', 'active', 'exercices'],
        properties: {
          nationalId: { type: 'string' },
          idType: { type: 'string', description: '8 RPPS, 0 ADELI (TRE_G08)' },
          idPP: { type: 'string' },
          active: { type: 'boolean' },
          civility: nullableCoded,
          familyName: { type: 'string' },
          givenNames: { type: 'array', items: { type: 'string' } },
          otherIds: {
            type: 'array',
            items: {
              type: 'object',
              properties: { id: { type: 'string' }, type: { type: 'string' }, flag: { type: 'string' } },
            },
          },
          contact: {
            type: 'object',
            properties: { hasEmail: { type: 'boolean' }, hasMobile: { type: 'boolean' } },
          },
          exercices: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                profession: coded,
                category: nullableCoded,
                civiliteExercice: nullableCoded,
                nomExercice: { type: 'string' },
                prenomExercice: { type: 'string' },
                savoirFaire: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      type: coded,
                      code: { type: 'string' },
                      label: { type: ['string', 'null'] },
                    },
                  },
                },
                activities: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      mode: nullableCoded,
                      sector: nullableCoded,
                      sectionPharmacien: nullableCoded,
                      fonction: nullableCoded,
                      genre: nullableCoded,
                      structure: {
                        type: ['object', 'null'],
                        description:
                          'Structure columns of the extract (siret, finess, structureId, raisonSociale, address…), empty values as ""',
                        additionalProperties: { type: 'string' },
                      },
                    },
                  },
                },
              },
            },
          },
          updatedAt: { type: 'string', format: 'date-time' },
          inactivatedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
      PersonSummary: {
        type: 'object',
        properties: {
          nationalId: { type: 'string' },
          active: { type: 'boolean' },
          civiliteExercice: { type: ['string', 'null'] },
          nomExercice: { type: 'string' },
          prenomExercice: { type: 'string' },
          professions: { type: 'array', items: coded },
          specialties: { type: 'array', items: coded },
          places: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
