/** An expected failure of a command: printed as one line (`error: …`), exit code 1, no stack. */
export class CliError extends Error {}
