import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStrftime, formatTimestampIso, strftime } from './time.js';

// References: GNU date 9 (glibc strftime) with TZ=UTC, e.g. `date -u -d @1700000000 +'%a %A ...'`.
const ALL = '%a %A %b %B %C %d %D %e %F %g %G %H %I %j %k %l %m %M %p %P %r %R %s %S %T %u %U %V %w %W %x %X %y %Y %z %Z %%';
const FLAGS = '%-d %_H %02e %^a %Ey %Od';
const references: [bigint, string, string][] = [
  [0n, ALL, 'Thu Thursday Jan January 19 01 01/01/70  1 1970-01-01 70 1970 00 12 001  0 12 01 00 AM am 12:00:00 AM 00:00 0 00 00:00:00 4 00 01 4 00 01/01/70 00:00:00 70 1970 +0000 UTC %'],
  [0n, '%c', 'Thu Jan  1 00:00:00 1970'],
  [0n, FLAGS, '1  0 01 THU 70 01'],
  [1700000000n, ALL, 'Tue Tuesday Nov November 20 14 11/14/23 14 2023-11-14 23 2023 22 10 318 22 10 11 13 PM pm 10:13:20 PM 22:13 1700000000 20 22:13:20 2 46 46 2 46 11/14/23 22:13:20 23 2023 +0000 UTC %'],
  [1700000000n, '%c', 'Tue Nov 14 22:13:20 2023'],
  [1700000000n, FLAGS, '14 22 14 TUE 23 14'],
  [1709251199n, ALL, 'Thu Thursday Feb February 20 29 02/29/24 29 2024-02-29 24 2024 23 11 060 23 11 02 59 PM pm 11:59:59 PM 23:59 1709251199 59 23:59:59 4 08 09 4 09 02/29/24 23:59:59 24 2024 +0000 UTC %'],
  [1735689599n, ALL, 'Tue Tuesday Dec December 20 31 12/31/24 31 2024-12-31 25 2025 23 11 366 23 11 12 59 PM pm 11:59:59 PM 23:59 1735689599 59 23:59:59 2 52 01 2 53 12/31/24 23:59:59 24 2024 +0000 UTC %'],
];

describe('strftime', () => {
  const savedTz = process.env['TZ'];
  beforeAll(() => {
    process.env['TZ'] = 'UTC';
  });
  afterAll(() => {
    if (savedTz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = savedTz;
  });

  for (const [t, fmt, expected] of references) {
    it(`formats ${fmt.slice(0, 20)}... at ${t} as glibc does`, () => {
      expect(strftime(fmt, t)).toBe(expected);
    });
  }

  it('copies unknown conversions through', () => {
    expect(strftime('%Q|%', 0n)).toBe('%Q|%');
  });

  // master src/bpftrace.cpp format_timestamp: %f, %k and %l become the sub-second part as six,
  // nine and three zero-padded digits (micro-, nano-, milliseconds, truncated) before strftime.
  it("expands bpftrace's %f, %k and %l before strftime", () => {
    expect(formatStrftime('%s.%f', 12_345_678_901n)).toBe('12.345678');
    expect(formatStrftime('%k %l', 3_004_005_006n)).toBe('004005006 004');
  });

  // Same function: a time_t of 0 (whole seconds, truncated) or a strftime result that does not
  // fit in max_strlen bytes gives "(?)".
  it('gives (?) for time zero and for results longer than the string limit', () => {
    expect(formatStrftime('%s', 999_999_999n)).toBe('(?)');
    expect(formatStrftime('%Y-%m-%d', 1_700_000_000_000_000_000n, { maxLength: 8 })).toBe('(?)');
    expect(formatStrftime('%Y-%m-%d', 1_700_000_000_000_000_000n, { maxLength: 11 })).toBe('2023-11-14');
  });

  it('writes timestamps as local ISO time with nanoseconds', () => {
    expect(formatTimestampIso(1_700_000_000_000_000_007n)).toBe('2023-11-14T22:13:20.000000007');
  });
});
