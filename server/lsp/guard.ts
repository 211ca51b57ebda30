// A handler that throws must not take the server down: log, answer empty.

import { ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import type { Session } from './session';

export function describeError(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}

export function guard<P, R>(
  session: Pick<Session, 'log'>,
  name: string,
  empty: R,
  handler: (params: P, token: CancellationToken | undefined) => R | ResponseError<void>,
): (params: P, token?: CancellationToken) => R | ResponseError<void> {
  return (params, token) => {
    if (token?.isCancellationRequested) return empty;
    try {
      return handler(params, token);
    } catch (e) {
      session.log(`daxlayout: ${name} failed (answered empty): ${describeError(e)}`);
      return empty;
    }
  };
}

/** A notification handler that logs instead of throwing. */
export function guardNotification<P>(session: Pick<Session, 'log'>, name: string, handler: (params: P) => void): (params: P) => void {
  return (params) => {
    try {
      handler(params);
    } catch (e) {
      session.log(`daxlayout: ${name} failed: ${describeError(e)}`);
    }
  };
}

export { ResponseError };
