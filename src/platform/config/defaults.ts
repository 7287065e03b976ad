/**
 * The settings of a Caducée deployment and their defaults. Every leaf can be overridden by a
 * config file and then by an environment variable named after its path
 * (`directory.contactChangeDelayHours` → `CADUCEE_DIRECTORY_CONTACT_CHANGE_DELAY_HOURS`).
 * Defaults are the public contract of `npm start` (DESIGN §5).
 */
export const defaults = {
  /** Database file, PKI, cards, keys. */
  dataDir: './data',
  /** `postgres://…` switches from the embedded store to PostgreSQL. */
  databaseUrl: '',
  /** `redis://…` switches short-lived state and cross-node events to Redis. */
  redisUrl: '',
  logLevel: 'info',
  /** Address the servers listen on. */
  listenHost: '127.0.0.1',
  idp: { url: 'https://localhost:8443' },
  http: {
    /**
     * Reverse proxies (addresses or CIDR blocks, comma-separated) whose `X-Forwarded-For` gives
     * the client's address, for per-address limits and the audit log. Empty: the TCP peer is the
     * client, and the header is ignored (anyone can send it).
     */
    trustedProxies: '',
  },
  cardHost: {
    url: 'https://localhost:8444',
    /** `tls`: the card host terminates TLS and asks for the card itself; `proxy`: a reverse proxy
     * (nginx) does and forwards the certificate in `proxyHeader`, trusted from `trustedProxies`. */
    mode: 'tls',
    /** Port to listen on; 0 means the port of `url` (in proxy mode, set the upstream port). */
    listenPort: 0,
    trustedProxies: '127.0.0.1,::1',
    proxyHeader: 'x-ssl-client-cert',
    /** Lifetime of the signed assertion handed back to the main origin. */
    assertionTtlSeconds: 60,
  },
  cards: {
    /** Validity of a newly issued card (CPS cards last 3 years). */
    validityDays: 1095,
    /** Subject attribute (short name or OID) holding the national identifier: card generations differ. */
    idnatAttribute: 'CN',
  },
  oidc: {
    /** `acr` returned per authentication means: PSC has changed them over time, so they are settings. */
    acrCard: 'eidas1',
    acrEcps: 'eidas1',
    /** Default signing algorithm of ID tokens and JWT userinfo (a client may ask for RS256). */
    signingAlg: 'ES256',
    /** Lifetimes, in seconds. PSC's access tokens are short-lived: relying parties refresh. */
    accessTokenTtl: 300,
    authorizationCodeTtl: 60,
    idTokenTtl: 300,
    refreshTokenTtl: 86_400,
    sessionTtl: 36_000,
    interactionTtl: 600,
    /** Calls the provider makes (back-channel logout, jwks_uri, CIBA ping) to loopback or private
     * addresses are refused against SSRF; `auto` allows them when the issuer itself is local. */
    outboundToPrivateAddresses: 'auto',
    /** Clients kept parsed and validated in memory per node (oidc-provider keeps 100): a client
     * read from the store is otherwise validated anew at each request (~45 µs). ~1.3 KB each. */
    clientCacheSize: 20_000,
  },
  messaging: {
    /** SMTP server for e-mails ('' = the embedded catcher of the dev outbox). */
    smtpUrl: '',
    /** Port of the embedded SMTP catcher (loopback only). */
    catcherPort: 2525,
    /** From header of every e-mail. */
    from: 'Caducée <ne-pas-repondre@caducee.localhost>',
    /** SMS gateway accepting a JSON POST {to, text, from} ('' = the dev outbox). */
    smsGatewayUrl: '',
    /** Sent to the gateway as `Authorization: Bearer …` when not empty. */
    smsGatewayToken: '',
    /** Sender shown on the phone (alphanumeric senders are limited to 11 ASCII characters). */
    smsFrom: 'Caducee',
    /** Web Push to the e-CPS app (VAPID); the browsers' push services must be reachable. */
    webPush: true,
    /** VAPID key pair, shared by all nodes ('' = <dataDir>/secrets/vapid.json, made if missing). */
    vapidKeyFile: '',
    /** Contact given to push services in the VAPID token (mailto: or https:). */
    vapidSubject: 'mailto:support@caducee.invalid',
  },
  ecps: {
    /** File holding the key of the PIN HMAC, kept outside the database ('' = <dataDir>/secrets/ecps-pin.key). */
    pinKeyFile: '',
    /** How long an activated e-CPS stays valid before it must be activated again. */
    validityDays: 365,
    /** Lifetime of a login request pushed to the phone (PSC: 2 minutes). */
    requestTtlSeconds: 120,
    /** Lifetime of the e-mailed activation link and of the SMS code. */
    activationLinkTtlMinutes: 30,
    activationCodeTtlMinutes: 10,
    /** Activation e-mails one identifier may ask for per hour (no e-mail/SMS bombing). */
    activationRequestsPerHour: 3,
    /** Activation e-mails and recovery checks one address (IP) may ask for per hour. */
    activationRequestsPerHourPerAddress: 20,
    /**
     * Login requests pushed to one professional's phone per 10 minutes, and sent from one address:
     * against push bombing (approving by weariness a login one did not make).
     */
    loginRequestsPerIdentifier: 10,
    loginRequestsPerAddress: 30,
    /** Lifetime of the portal's activation QR code (card way); renewable. */
    portalQrTtlSeconds: 90,
    /** An e-mail reminds the professional this many days before the e-CPS expires. */
    reminderDaysBefore: 30,
    /** Lifetime of a portal session (card login, or e-mail + SMS check). */
    portalSessionMinutes: 15,
  },
  /**
   * Attempts allowed per window, counted in process on one node, in Redis in the scale-out mode.
   * Per address limits are high enough for a hospital behind one address; per card, client or
   * failure they are low.
   */
  rateLimits: {
    /** Card logins and "Tester ma carte" on the card host, per 10 minutes, from one address. */
    cardLoginsPerAddress: 300,
    /** …with one card (whatever the address). */
    cardLoginsPerCard: 20,
    /** Identifier submitted on the provider's login page (e-CPS), per 10 minutes, from one address. */
    loginFormPerAddress: 60,
    /** Requests to the token, introspection, revocation, CIBA and PAR endpoints, per minute, from one address. */
    oauthRequestsPerAddress: 600,
    /** …by one authenticated client (whatever the address). */
    oauthRequestsPerClient: 1200,
    /**
     * Failed client authentications per 10 minutes for one client_id from one address; beyond,
     * that address gets no answer for that client. Counted per address too, so that no one can
     * lock a relying party out by sending wrong secrets under its client_id.
     */
    oauthClientFailuresPerAddress: 10,
    /**
     * First step of an e-CPS activation without a card (the masked e-mail and mobile of an
     * identifier), per 10 minutes, from one address: no harvesting of who has which contacts.
     */
    activationLookupsPerAddress: 60,
  },
  /** Who professionals call when a login fails (shown on the login pages). */
  support: {
    name: 'Assistance Caducée',
    phone: '',
    email: '',
    url: '',
  },
  espaceMedecin: { url: 'http://localhost:3000' },
  lieux: { url: 'http://localhost:3001' },
  outbox: { url: 'http://localhost:8025' },
  directory: {
    /** Delay before a correspondence change made at the registration authority is in force. */
    contactChangeDelayHours: 48,
    /** An import that would inactivate more than this share of active persons needs --force. */
    inactivationThreshold: 0.05,
    /** Largest page of a directory search. */
    searchLimit: 100,
  },
};

export type Settings = typeof defaults;
