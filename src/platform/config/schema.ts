import { z } from 'zod';
import { addressListProblems } from '../http/client-address.ts';

const httpUrl = z
  .string()
  .url({ message: 'URL invalide (attendu : http(s)://hôte:port)' })
  .refine((value) => /^https?:\/\//.test(value), 'doit commencer par http:// ou https://');

const optionalUrl = (schemes: string[]) =>
  z
    .string()
    .refine(
      (value) => value === '' || schemes.some((scheme) => value.startsWith(`${scheme}://`)),
      `doit être vide ou commencer par ${schemes.map((s) => `${s}://`).join(' ou ')}`,
    );

/** Comma-separated IP addresses and CIDR blocks; empty allowed. */
const addressList = z.string().superRefine((value, ctx) => {
  for (const problem of addressListProblems(value)) ctx.addIssue({ code: 'custom', message: problem });
});

const perWindow = (max: number) => z.number().int().min(1).max(max);

export const settingsSchema = z.strictObject({
  dataDir: z.string().min(1, 'ne peut pas être vide'),
  databaseUrl: optionalUrl(['postgres', 'postgresql']),
  redisUrl: optionalUrl(['redis', 'rediss']),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  listenHost: z.string().min(1),
  idp: z.strictObject({ url: httpUrl }),
  http: z.strictObject({ trustedProxies: addressList }),
  cardHost: z.strictObject({
    url: httpUrl,
    mode: z.enum(['tls', 'proxy']),
    listenPort: z.number().int().min(0).max(65535),
    trustedProxies: addressList,
    proxyHeader: z.string().regex(/^[a-z0-9-]+$/, 'nom d’en-tête HTTP en minuscules attendu'),
    assertionTtlSeconds: z.number().int().min(5).max(300),
  }),
  cards: z.strictObject({
    validityDays: z.number().int().min(1).max(3650),
    idnatAttribute: z
      .string()
      .regex(/^([A-Za-z]+|\d+(\.\d+)+)$/, 'nom court (CN, serialNumber…) ou OID attendu'),
  }),
  oidc: z.strictObject({
    acrCard: z.string().min(1),
    acrEcps: z.string().min(1),
    signingAlg: z.enum(['ES256', 'RS256']),
    accessTokenTtl: z.number().int().min(30).max(86_400),
    authorizationCodeTtl: z.number().int().min(10).max(600),
    idTokenTtl: z.number().int().min(30).max(86_400),
    refreshTokenTtl: z.number().int().min(60),
    sessionTtl: z.number().int().min(60),
    interactionTtl: z.number().int().min(60).max(3600),
    outboundToPrivateAddresses: z.enum(['auto', 'allow', 'deny']),
    clientCacheSize: z.number().int().min(100).max(1_000_000),
  }),
  messaging: z.strictObject({
    smtpUrl: optionalUrl(['smtp', 'smtps']),
    catcherPort: z.number().int().min(1).max(65535),
    from: z.string().min(3),
    smsGatewayUrl: optionalUrl(['http', 'https']),
    smsGatewayToken: z.string(),
    smsFrom: z
      .string()
      .regex(
        /^([A-Za-z0-9][A-Za-z0-9 .-]{0,10}|\+?[0-9]{3,15})$/,
        'attendu : 1 à 11 caractères ASCII (lettres, chiffres, espace, point, tiret) ou un numéro',
      ),
    webPush: z.boolean(),
    vapidKeyFile: z.string(),
    vapidSubject: z.string().regex(/^(mailto:|https:)/, 'attendu : mailto:… ou https://…'),
  }),
  ecps: z.strictObject({
    pinKeyFile: z.string(),
    validityDays: z.number().int().min(1).max(3650),
    requestTtlSeconds: z.number().int().min(30).max(600),
    activationLinkTtlMinutes: z.number().int().min(1).max(1440),
    activationCodeTtlMinutes: z.number().int().min(1).max(60),
    activationRequestsPerHour: z.number().int().min(1).max(100),
    activationRequestsPerHourPerAddress: z.number().int().min(1).max(10_000),
    loginRequestsPerIdentifier: z.number().int().min(1).max(1000),
    loginRequestsPerAddress: z.number().int().min(1).max(100_000),
    portalQrTtlSeconds: z.number().int().min(30).max(600),
    reminderDaysBefore: z.number().int().min(1).max(365),
    portalSessionMinutes: z.number().int().min(1).max(120),
  }),
  rateLimits: z.strictObject({
    cardLoginsPerAddress: perWindow(1_000_000),
    cardLoginsPerCard: perWindow(10_000),
    loginFormPerAddress: perWindow(1_000_000),
    oauthRequestsPerAddress: perWindow(1_000_000),
    oauthRequestsPerClient: perWindow(1_000_000),
    oauthClientFailuresPerAddress: perWindow(10_000),
    activationLookupsPerAddress: perWindow(1_000_000),
  }),
  support: z.strictObject({ name: z.string(), phone: z.string(), email: z.string(), url: z.string() }),
  espaceMedecin: z.strictObject({ url: httpUrl }),
  lieux: z.strictObject({ url: httpUrl }),
  outbox: z.strictObject({ url: httpUrl }),
  directory: z.strictObject({
    contactChangeDelayHours: z.number().min(0, 'doit être positif ou nul'),
    inactivationThreshold: z.number().min(0).max(1, 'est une part entre 0 et 1 (0.05 = 5 %)'),
    searchLimit: z.number().int().min(1).max(1000),
  }),
});
