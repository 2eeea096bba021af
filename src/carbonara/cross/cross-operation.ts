/**
 * The operations tree that cross-metric aggregation evaluates, as the grammar's
 * `parseOperations` builds it (the grammar declares the same shape; the compiler checks that
 * what it builds is this).
 */
import type { Sampling } from '../grouped-series.ts';
import type { CrossReduceBase } from './nan-reduce.ts';

/** A cross-series method, and whether the result's consecutive differences are taken. */
export interface CrossMethod {
  readonly base: CrossReduceBase;
  readonly rate: boolean;
}

/** The element-wise binary operators. */
export type CrossBinaryOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'mod'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'clip_min'
  | 'clip_max'
  | 'max';

/** The element-wise unary operators, and the two that work on consecutive points. */
export type CrossUnaryOperator =
  'abs' | 'neg' | 'cos' | 'sin' | 'tan' | 'floor' | 'ceil' | 'rateofchange' | 'rateofchangesec';

/** A `[ref, aggregation]` pair naming grid columns. */
export type CrossReference = readonly [string, string];

/** A node of the tree. */
export type CrossOperation =
  | { readonly kind: 'metric'; readonly references: readonly CrossReference[] }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'aggregate'; readonly method: CrossMethod; readonly operand: CrossOperation }
  | {
      readonly kind: 'rolling';
      readonly method: CrossMethod;
      readonly window: number;
      readonly operand: CrossOperation;
    }
  | {
      readonly kind: 'resample';
      readonly method: string;
      /** µs, or a calendar period (only the legacy endpoints ask for one). */
      readonly sampling: Sampling;
      readonly operand: CrossOperation;
    }
  | {
      readonly kind: 'unary';
      readonly operator: CrossUnaryOperator;
      readonly operand: CrossOperation;
    }
  | {
      readonly kind: 'binary';
      readonly operator: CrossBinaryOperator;
      readonly left: CrossOperation;
      readonly right: CrossOperation;
    }
  | {
      readonly kind: 'clip';
      readonly operand: CrossOperation;
      readonly min: CrossOperation;
      readonly max?: CrossOperation;
    };
