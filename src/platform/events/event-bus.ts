/**
 * Events between the nodes of a deployment (an approval reached node B, the browser waits on node
 * A; keys rotated by the CLI). One small port, an adapter per backend: in process for the
 * embedded single node, Redis pub/sub for several nodes. Delivery is best effort: listeners
 * must also cope by reading the store (events only make things faster).
 */
export interface EventBus {
  publish(topic: string, message: Record<string, unknown>): Promise<void>;
  /** Returns the function that stops listening. */
  subscribe(topic: string, listener: (message: Record<string, unknown>) => void): () => void;
  close(): Promise<void>;
}
