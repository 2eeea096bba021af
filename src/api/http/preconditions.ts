/**
 * Conditional requests on a single resource (RFC 7232, in the order Gnocchi checks them):
 * `If-Match` / `If-Unmodified-Since` refuse a change (412) when the resource moved on;
 * `If-None-Match` / `If-Modified-Since` let a read answer 304 when it did not (and refuse a
 * change with 412 when the entity matches).
 */
import type { IncomingHttpHeaders } from 'node:http';

import { PreconditionFailedError } from './request-errors.ts';

/** What a resource is compared on. */
export interface Validators {
  /** Quoted strong entity tag. */
  readonly etag: string;
  /** Last modification, in milliseconds since the epoch. */
  readonly lastModifiedMs: number;
}

/**
 * `not-modified` when a read may answer 304, else `proceed`; throws `PreconditionFailedError`
 * when the request must be answered 412.
 */
export function checkPreconditions(
  headers: IncomingHttpHeaders,
  method: string,
  { etag, lastModifiedMs }: Validators,
): 'proceed' | 'not-modified' {
  const read = method === 'GET' || method === 'HEAD';
  const lastModified = Math.floor(lastModifiedMs / 1000) * 1000;
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined && !matches(ifMatch, etag)) throw new PreconditionFailedError();
  const unmodifiedSince = httpDate(headers['if-unmodified-since']);
  if (ifMatch === undefined && unmodifiedSince !== undefined && unmodifiedSince < lastModified) {
    throw new PreconditionFailedError();
  }
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined && matches(ifNoneMatch, etag)) {
    if (read) return 'not-modified';
    throw new PreconditionFailedError();
  }
  const modifiedSince = httpDate(headers['if-modified-since']);
  if (
    ifNoneMatch === undefined &&
    read &&
    modifiedSince !== undefined &&
    modifiedSince >= lastModified
  ) {
    return 'not-modified';
  }
  return 'proceed';
}

function matches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
