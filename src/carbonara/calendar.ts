/**
 * Calendar groupings for resampling (Gnocchi's `calendar.GROUPINGS`): a point belongs to the UTC
 * year (`Y`), half-year (`H`, from Jan 1 or Jul 1), quarter (`Q`), month (`M`) or week starting
 * Sunday (`W`) it falls in, keyed by that period's start at 00:00Z.
 */
import { UTCDate } from '@date-fns/utc';
import {
  addMonths,
  addWeeks,
  startOfMonth,
  startOfQuarter,
  startOfWeek,
  startOfYear,
} from 'date-fns';

import { MICROS_PER_SECOND } from './series.ts';

/** The calendar grouping letters. */
export const CALENDAR_GROUPINGS = ['Y', 'H', 'Q', 'M', 'W'] as const;

/** One calendar grouping letter. */
export type CalendarGrouping = (typeof CALENDAR_GROUPINGS)[number];

const MICROS_PER_MILLI = MICROS_PER_SECOND / 1000;

/** Whether `value` names a calendar grouping. */
export function isCalendarGrouping(value: unknown): value is CalendarGrouping {
  return (CALENDAR_GROUPINGS as readonly unknown[]).includes(value);
}

/** The start of the period of `grouping` that holds `ts`, and the start of the next one (µs). */
export function calendarPeriod(
  ts: number,
  grouping: CalendarGrouping,
): { readonly start: number; readonly end: number } {
  const date = new UTCDate(Math.floor(ts / MICROS_PER_MILLI));
  const [start, end] = periodBounds(date, grouping);
  return { start: start.getTime() * MICROS_PER_MILLI, end: end.getTime() * MICROS_PER_MILLI };
}

function periodBounds(date: UTCDate, grouping: CalendarGrouping): [Date, Date] {
  switch (grouping) {
    case 'Y': {
      const start = startOfYear(date);
      return [start, addMonths(start, 12)];
    }
    case 'H': {
      const year = startOfYear(date);
      const start = date.getUTCMonth() < 6 ? year : addMonths(year, 6);
      return [start, addMonths(start, 6)];
    }
    case 'Q': {
      const start = startOfQuarter(date);
      return [start, addMonths(start, 3)];
    }
    case 'M': {
      const start = startOfMonth(date);
      return [start, addMonths(start, 1)];
    }
    case 'W': {
      const start = startOfWeek(date, { weekStartsOn: 0 });
      return [start, addWeeks(start, 1)];
    }
  }
}
