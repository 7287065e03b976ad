/**
 * Every failure a user or operator can meet is a CaduceeError with a stable code.
 * Domains declare their own catalogue with `defineError`; the HTTP layer and the CLI
 * render them once each (JSON, HTML, terminal), so steps only ever `throw`.
 */
export interface ErrorDescription {
  /** Stable, documented code (e.g. `DIRECTORY_MALFORMED_LINE`): clients may branch on it. */
  code: string;
  /** HTTP status used when the error reaches an HTTP client. */
  status: number;
}

export class CaduceeError extends Error {
  readonly code: string;
  readonly status: number;
  /** What to do about it, in French, for the person reading the message. */
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    description: ErrorDescription,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'CaduceeError';
    this.code = description.code;
    this.status = description.status;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }
}

export interface ErrorFactory<P> {
  (params: P, cause?: unknown): CaduceeError;
  readonly code: string;
  readonly status: number;
  /** True when `error` was made by this factory. */
  is(error: unknown): error is CaduceeError;
}

/**
 * Declares one catalogue entry. `message` and `hint` are written in French: they are shown to
 * professionals and operators as they are.
 */
export function defineError<P extends Record<string, unknown> = Record<string, never>>(
  code: string,
  status: number,
  message: (params: P) => string,
  hint?: (params: P) => string,
): ErrorFactory<P> {
  const factory = (params: P, cause?: unknown) =>
    new CaduceeError({ code, status }, message(params), {
      hint: hint?.(params),
      details: params,
      cause,
    });
  return Object.assign(factory, {
    code,
    status,
    is: (error: unknown): error is CaduceeError => error instanceof CaduceeError && error.code === code,
  });
}

export function isCaduceeError(error: unknown): error is CaduceeError {
  return error instanceof CaduceeError;
}
