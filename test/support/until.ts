import type { ChangeNotifications } from '../../src/events/change-notifications';

/** Waits (briefly) for something that follows a commit asynchronously, such as its notification. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until no change notification has arrived for `quietMs`: the factory's own may still be on their way. */
export async function settled(changes: ChangeNotifications, quietMs = 300): Promise<void> {
  for (;;) {
    const generation = changes.generation;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (changes.generation === generation) return;
  }
}
