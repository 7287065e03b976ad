/**
 * For housekeeping that need not run at every request (purging rows long expired, which no check
 * reads anyway): the returned function says yes at most once per `intervalMs` of the instants it
 * is given (the caller's clock, which tests move).
 */
export function atMostEvery(intervalMs: number): (now: Date) => boolean {
  let next = Number.NEGATIVE_INFINITY;
  return (now) => {
    if (now.getTime() < next) return false;
    next = now.getTime() + intervalMs;
    return true;
  };
}
