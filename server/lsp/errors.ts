// An error as text, for logs (no LSP imports: the analysis worker uses it too).
export function describeError(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
