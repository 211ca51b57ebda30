// A handler that throws must not take the server down: log, answer empty.

import { ResponseError, type CancellationToken } from 'vscode-languageserver/node';
import { describeError } from './errors';
import type { Session } from './session';

export { describeError };

export function guard<P, R>(
  session: Pick<Session, 'log'>,
  name: string,
  empty: R,
  handler: (
    params: P,
    token: CancellationToken | undefined,
  ) => R | ResponseError<void> | Promise<R | ResponseError<void>>,
): (params: P, token?: CancellationToken) => Promise<R | ResponseError<void>> {
  return async (params, token) => {
    if (token?.isCancellationRequested) return empty;
    try {
      const r = await handler(params, token);
      return token?.isCancellationRequested ? empty : r;
    } catch (e) {
      session.log(`daxlayout: ${name} failed (answered empty): ${describeError(e)}`);
      return empty;
    }
  };
}

/** A notification handler that logs instead of throwing. */
export function guardNotification<P>(
  session: Pick<Session, 'log'>,
  name: string,
  handler: (params: P) => void,
): (params: P) => void {
  return (params) => {
    try {
      handler(params);
    } catch (e) {
      session.log(`daxlayout: ${name} failed: ${describeError(e)}`);
    }
  };
}

export { ResponseError };
