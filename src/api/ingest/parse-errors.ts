/**
 * Errors crossing the thread boundary of the parsing workers: sent as plain fields, rebuilt on the
 * other side as the errors the API answers (400 with Gnocchi's descriptions); anything else comes
 * back as a plain error, answered 500.
 */
import { InvalidMeasuresError, type InvalidMeasuresReason } from '../../ingest/index.ts';
import { UndecodableBodyError } from '../http/request-errors.ts';

/** An error as plain, cloneable fields. */
export interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly reason?: string;
  readonly index?: number | undefined;
  readonly metricKey?: string | undefined;
  readonly detail?: string | undefined;
}

/** The fields of an error, for `postMessage`. */
export function errorFields(error: unknown): ErrorFields {
  if (error instanceof InvalidMeasuresError) {
    const { reason, index, metricKey, detail } = error;
    return { name: error.name, message: error.message, reason, index, metricKey, detail };
  }
  if (error instanceof UndecodableBodyError) {
    return { name: error.name, message: error.message, reason: error.reason };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: error instanceof Error ? error.name : 'Error', message };
}

/** The error the fields describe. */
export function errorFromFields(fields: ErrorFields): Error {
  if (fields.name === 'InvalidMeasuresError') {
    return new InvalidMeasuresError(fields.reason as InvalidMeasuresReason, {
      index: fields.index,
      metricKey: fields.metricKey,
      detail: fields.detail,
    });
  }
  if (fields.name === 'UndecodableBodyError') return new UndecodableBodyError(fields.reason ?? '');
  return new Error(`parsing worker: ${fields.name}: ${fields.message}`);
}
