import { describe, expect, it } from 'vitest';
import { PerfAttrFlag, PerfSampleType, PerfType } from '../sys/index.js';
import { encodePerfEventAttr, formatBits, PERF_ATTR_SIZE, pmuFormatField, pmuType } from './perf-event.js';

describe('perf_event_attr', () => {
  it('lays out the fields at their UAPI offsets', () => {
    const b = encodePerfEventAttr({
      type: PerfType.SOFTWARE,
      config: 0x1122n,
      sampleFreq: 99n,
      sampleType: PerfSampleType.RAW,
      flags: PerfAttrFlag.DISABLED,
      wakeupEvents: 3,
      config1: 0xdead_beefn,
      config2: 0x40n,
    });
    const v = new DataView(b.buffer);
    expect(b.byteLength).toBe(PERF_ATTR_SIZE);
    expect(v.getUint32(0, true)).toBe(PerfType.SOFTWARE);
    expect(v.getUint32(4, true)).toBe(PERF_ATTR_SIZE);
    expect(v.getBigUint64(8, true)).toBe(0x1122n);
    expect(v.getBigUint64(16, true)).toBe(99n);
    expect(v.getBigUint64(24, true)).toBe(BigInt(PerfSampleType.RAW));
    // Frequency mode sets the freq bit beside the flags given.
    expect(v.getBigUint64(40, true)).toBe(PerfAttrFlag.DISABLED | PerfAttrFlag.FREQ);
    expect(v.getUint32(48, true)).toBe(3);
    expect(v.getBigUint64(56, true)).toBe(0xdead_beefn);
    expect(v.getBigUint64(64, true)).toBe(0x40n);
  });

  it('places values in the bits a PMU format names and refuses ones that do not fit', () => {
    expect(formatBits({ word: 'config', lowBit: 32, highBit: 63 }, 0x1234n)).toBe(0x1234n << 32n);
    expect(formatBits({ word: 'config', lowBit: 0, highBit: 0 }, 1n)).toBe(1n);
    expect(() => formatBits({ word: 'config', lowBit: 0, highBit: 0 }, 2n)).toThrow(RangeError);
  });

  it('reads the uprobe PMU and its format fields from sysfs', () => {
    expect(pmuType('uprobe')).toBeGreaterThan(0);
    expect(pmuType('no-such-pmu')).toBeUndefined();
    expect(pmuFormatField('uprobe', 'retprobe')).toEqual({ word: 'config', lowBit: 0, highBit: 0 });
    expect(pmuFormatField('uprobe', 'ref_ctr_offset')).toEqual({ word: 'config', lowBit: 32, highBit: 63 });
  });
});
