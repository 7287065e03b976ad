/**
 * Polls until `check` holds, for what arrives a moment later on its own (a mail over SMTP, a
 * file written by a background task); fails with `what` after `ms`.
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what = 'the condition',
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
