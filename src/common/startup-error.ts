/** A start-up failure whose message says all a person needs: printed as one line, exit 1. */
export class StartupError extends Error {}
