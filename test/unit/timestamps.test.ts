import { describe, expect, it } from 'vitest';
import { isoFromDriver, isoToDriver } from '../../db/schema';

describe("PostgreSQL's timestamps read as ISO 8601", () => {
  it.each([
    ['2026-11-23 09:50:30.159+00', '2026-11-23T09:50:30.159Z'],
    ['2026-11-23 10:50:30+01', '2026-11-23T09:50:30.000Z'],
    ['2026-11-23 04:20:30+05:30', '2026-11-22T22:50:30.000Z'],
    ['2026-11-23 04:20:30.123456-02', '2026-11-23T06:20:30.123Z'],
    ['0020-02-29 00:00:00+00', '0020-02-29T00:00:00.000Z'],
    ['0001-06-01 08:30:00+00 BC', '0000-06-01T08:30:00.000Z'],
    ['1850-01-01 00:00:00+00:53:28', '1849-12-31T23:06:32.000Z'],
  ])('%s', (text, iso) => {
    expect(isoFromDriver(text)).toBe(iso);
  });

  it('reads the common UTC form as the Date round trip does, microseconds rounded, a carry included', () => {
    // Against the Date round trip, the way the general form reads them (`+01` takes the same path).
    const viaDate = (text: string) => {
      const [date, time] = text.replace('+00', '').split(' ');
      const [whole, micros = '0'] = time.split('.');
      const base = Date.parse(`${date}T${whole}Z`);
      return new Date(base + Math.round(+`0.${micros}` * 1000)).toISOString();
    };
    const samples = [
      '2026-12-31 23:59:59.9996+00', // rounds into the next year
      '2026-02-28 23:59:59.999999+00',
      '2028-02-29 12:00:00.0004+00',
      '1000-01-01 00:00:00+00',
      '9999-12-31 23:59:59.5+00',
      '2026-11-23 09:50:30.1595+00',
      '2026-11-23 09:50:30.1+00',
    ];
    for (let i = 0; i < 500; i++) {
      const at = new Date(
        Date.UTC(1000 + ((i * 7919) % 9000), i % 12, 1 + (i % 28), i % 24, i % 60, (i * 7) % 60),
      );
      const micros = String((i * 104729) % 1_000_000)
        .padStart(6, '0')
        .slice(0, 1 + (i % 6));
      samples.push(`${at.toISOString().slice(0, 19).replace('T', ' ')}.${micros}+00`);
    }
    for (const text of samples) expect(isoFromDriver(text), text).toBe(viaDate(text));
  });

  it('takes a Date as it is', () => {
    expect(isoFromDriver(new Date('2026-01-02T03:04:05.006Z'))).toBe('2026-01-02T03:04:05.006Z');
  });
});

describe('ISO 8601 written as PostgreSQL reads it', () => {
  it.each([
    ['2026-11-23T09:50:30.159Z', '2026-11-23T09:50:30.159Z'],
    ['0020-02-29T00:00:00.000Z', '0020-02-29T00:00:00.000Z'],
    ['0000-06-01T08:30:00.000Z', '0001-06-01T08:30:00.000Z BC'],
    ['-000043-03-15T12:00:00.000Z', '0044-03-15T12:00:00.000Z BC'],
  ])('%s', (iso, text) => {
    expect(isoToDriver(iso)).toBe(text);
  });
});
