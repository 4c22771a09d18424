// BPF programs: load (with the verifier log on failure, or on request), info, test runs, pinning.
import { AttachType, BpfCmd, Errno, ProgType, sys, SysError } from '../sys/index.js';
import {
  BpfStatsType,
  cString,
  decodeAttr,
  EnableStatsAttr,
  encodeAttr,
  fromCString,
  InfoByFdAttr,
  ProgInfoLayout,
  ProgLoadAttr,
  readU32,
  TestRunAttr,
  writeAttrField,
} from '../sys/bpf-attr.js';
import { encodeInsns, type Insn } from '../isa/insn.js';
import { loadHint, rethrow, VerifierError } from './errors.js';
import { sanitizeObjectName } from './map.js';
import { getPinned, pinObject } from './pin.js';

export interface ProgramSpec {
  name?: string;
  type: ProgType;
  insns: readonly Insn[];
  /** Default 'GPL' (most tracing helpers are GPL-only). */
  license?: string;
  expectedAttachType?: AttachType;
  /** For tracing programs: the BTF id of the function or `btf_trace_*` typedef to attach to. */
  attachBtfId?: number;
  attachBtfObjFd?: number;
  /** BPF_F_* load flags (prog_flags), e.g. BPF_F_SLEEPABLE. */
  flags?: number;
  /** Ask for the verifier log even when the load succeeds (1: the program's path, 2: every instruction). */
  logLevel?: 0 | 1 | 2;
  /** Initial log buffer size in bytes; it grows when the kernel says it was too small. */
  logSize?: number;
  /**
   * BTF function records, needed when the program has subprograms the kernel calls back (bpf_loop,
   * bpf_for_each_map_elem): the fd of a loaded BTF object (`loadBtfObject`) and one record per function.
   */
  funcInfo?: { btfFd: number; records: readonly { insnOff: number; typeId: number }[] };
}

/** Size of one `struct bpf_func_info` record: insn_off and type_id, both u32. */
export const FUNC_INFO_REC_SIZE = 8;

function encodeFuncInfo(records: readonly { insnOff: number; typeId: number }[]): Uint8Array {
  const out = new Uint8Array(records.length * FUNC_INFO_REC_SIZE);
  const view = new DataView(out.buffer);
  records.forEach((r, i) => {
    view.setUint32(i * FUNC_INFO_REC_SIZE, r.insnOff, true);
    view.setUint32(i * FUNC_INFO_REC_SIZE + 4, r.typeId, true);
  });
  return out;
}

export interface ProgramInfo {
  id: number;
  name: string;
  type: number;
  /** Zero unless BPF_ENABLE_STATS is on (or kernel.bpf_stats_enabled=1). */
  runCnt: bigint;
  runTimeNs: bigint;
  xlatedLen: number;
  jitedLen: number;
  verifiedInsns: number;
  mapIds: number[];
  tag: string;
}

const DEFAULT_LOG_SIZE = 64 * 1024;
// The kernel caps log_size at UINT_MAX >> 2; past 256 MiB a log is not worth holding anyway.
const MAX_LOG_SIZE = 256 * 1024 * 1024;

export class Program {
  readonly fd: number;
  readonly name: string;
  readonly type: ProgType;
  /** The verifier's log when it was asked for (spec.logLevel > 0), else undefined. */
  readonly verifierLog: string | undefined;
  private closed = false;

  constructor(fd: number, name: string, type: ProgType, verifierLog?: string) {
    this.fd = fd;
    this.name = name;
    this.type = type;
    this.verifierLog = verifierLog;
  }

  private get label(): string {
    return this.name === '' ? `program fd ${this.fd}` : `program ${this.name}`;
  }

  info(): ProgramInfo {
    const read = (mapIds?: Uint8Array, nrMapIds = 0): Uint8Array => {
      const buf = encodeAttr(ProgInfoLayout, mapIds ? { nrMapIds, mapIds: sys().address(mapIds) } : {});
      const attr = encodeAttr(InfoByFdAttr, { bpfFd: this.fd, infoLen: buf.byteLength, info: sys().address(buf) });
      try {
        sys().bpf(BpfCmd.OBJ_GET_INFO_BY_FD, attr);
      } catch (err) {
        rethrow(err, `Cannot read info of ${this.label}`);
      }
      return buf;
    };
    let d = decodeAttr(ProgInfoLayout, read());
    const ids: number[] = [];
    if (d.nrMapIds > 0) {
      // A second call with room for the map ids (the first told us how many there are).
      const idBuf = new Uint8Array(d.nrMapIds * 4);
      d = decodeAttr(ProgInfoLayout, read(idBuf, d.nrMapIds));
      const view = new DataView(idBuf.buffer);
      for (let i = 0; i < d.nrMapIds; i++) ids.push(view.getUint32(i * 4, true));
    }
    return {
      id: d.id,
      name: fromCString(d.name),
      type: d.type,
      runCnt: d.runCnt,
      runTimeNs: d.runTimeNs,
      xlatedLen: d.xlatedProgLen,
      jitedLen: d.jitedProgLen,
      verifiedInsns: d.verifiedInsns,
      mapIds: ids,
      tag: Buffer.from(d.tag).toString('hex'),
    };
  }

  /**
   * Runs the program once in the calling thread (BPF_PROG_TEST_RUN). Raw tracepoint programs take `ctxIn` (their u64
   * arguments) and refuse `repeat`; tracepoint, kprobe and perf_event programs are refused by the kernel (ENOTSUPP).
   */
  testRun(opts: { ctxIn?: Uint8Array; dataIn?: Uint8Array; repeat?: number } = {}): { retval: number; durationNs: number } {
    const { ctxIn, dataIn } = opts;
    const attr = encodeAttr(TestRunAttr, {
      progFd: this.fd,
      ctxIn: ctxIn ? sys().address(ctxIn) : 0n,
      ctxSizeIn: ctxIn?.byteLength ?? 0,
      dataIn: dataIn ? sys().address(dataIn) : 0n,
      dataSizeIn: dataIn?.byteLength ?? 0,
      repeat: opts.repeat ?? 0,
    });
    try {
      sys().bpf(BpfCmd.PROG_TEST_RUN, attr);
    } catch (err) {
      const hint = err instanceof SysError && (err.errno === Errno.ENOTSUPP || err.errno === Errno.EOPNOTSUPP)
        ? 'this program type cannot be test-run (raw_tracepoint, tracing and networking types can)'
        : err instanceof SysError && err.errno === Errno.EINVAL
          ? 'the context size or options do not suit this program type'
          : undefined;
      rethrow(err, `Cannot test-run ${this.label}`, hint);
    }
    return { retval: readU32(TestRunAttr, attr, 'retval') | 0, durationNs: readU32(TestRunAttr, attr, 'duration') };
  }

  /** Pins the program in bpffs (mounting /sys/fs/bpf when needed). */
  pin(path: string): void {
    pinObject(this.fd, path, this.label);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    sys().close(this.fd);
  }
}

function isTracingType(type: ProgType): boolean {
  return type === ProgType.TRACING || type === ProgType.KPROBE || type === ProgType.PERF_EVENT || type === ProgType.LSM || type === ProgType.EXT;
}

function decodeLog(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return new TextDecoder().decode(end < 0 ? buf : buf.subarray(0, end));
}

function logLines(log: string): string[] {
  const lines = log.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Loads a program. Without a requested log the first attempt carries none (faster); when the kernel refuses the
 * program, the load is repeated with a log buffer that grows until the whole log fits, and a VerifierError carries it.
 */
export function loadProgram(spec: ProgramSpec): Program {
  const name = sanitizeObjectName(spec.name ?? '');
  const insns = encodeInsns(spec.insns);
  const license = cString(spec.license ?? 'GPL');
  // Kept in a variable so the buffer stays alive while the kernel reads it.
  const funcInfo = spec.funcInfo ? encodeFuncInfo(spec.funcInfo.records) : undefined;
  const attr = encodeAttr(ProgLoadAttr, {
    progType: spec.type,
    insnCnt: spec.insns.length,
    insns: sys().address(insns),
    license: sys().address(license),
    progName: new TextEncoder().encode(name),
    expectedAttachType: spec.expectedAttachType ?? 0,
    progFlags: spec.flags ?? 0,
    attachBtfId: spec.attachBtfId ?? 0,
    attachBtfObjFd: spec.attachBtfObjFd ?? 0,
    ...(spec.funcInfo && funcInfo
      ? {
          progBtfFd: spec.funcInfo.btfFd,
          funcInfoRecSize: FUNC_INFO_REC_SIZE,
          funcInfo: sys().address(funcInfo),
          funcInfoCnt: spec.funcInfo.records.length,
        }
      : {}),
  });
  const label = name === '' ? 'program' : name;
  const tracing = isTracingType(spec.type);
  const wantLog = (spec.logLevel ?? 0) > 0;

  // The kernel refuses log buffers under 128 bytes.
  let logSize = Math.max(128, spec.logSize ?? DEFAULT_LOG_SIZE);
  let logLevel: number = spec.logLevel ?? 0;
  let log: Uint8Array | undefined;
  for (;;) {
    if (logLevel > 0) {
      log = new Uint8Array(logSize);
      writeAttrField(ProgLoadAttr, attr, 'logLevel', logLevel);
      writeAttrField(ProgLoadAttr, attr, 'logSize', logSize);
      writeAttrField(ProgLoadAttr, attr, 'logBuf', sys().address(log));
      writeAttrField(ProgLoadAttr, attr, 'logTrueSize', 0);
    }
    try {
      const fd = sys().bpf(BpfCmd.PROG_LOAD, attr);
      return new Program(fd, name, spec.type, wantLog && log ? decodeLog(log) : undefined);
    } catch (err) {
      if (!(err instanceof SysError)) throw err;
      const errno = err.errno;
      // ENOSPC: the log did not fit; the kernel tells how big it is (log_true_size, 6.4+), else grow by four.
      if (log !== undefined && errno === Errno.ENOSPC && logSize < MAX_LOG_SIZE) {
        const trueSize = readU32(ProgLoadAttr, attr, 'logTrueSize');
        logSize = Math.min(MAX_LOG_SIZE, trueSize > logSize ? trueSize : logSize * 4);
        continue;
      }
      // Refused without a log: try again with one, to say why.
      if (log === undefined && (errno === Errno.EINVAL || errno === Errno.EACCES)) {
        logLevel = 1;
        continue;
      }
      const lines = log ? logLines(decodeLog(log)) : [];
      if ((errno === Errno.EINVAL || errno === Errno.EACCES || errno === Errno.ENOSPC) && lines.length > 0) {
        throw new VerifierError(label, errno, lines, errno === Errno.ENOSPC);
      }
      throw new SysError(`Cannot load program ${label}`, errno, loadHint(errno, tracing), lines.at(-1));
    }
  }
}

/** Wraps an fd of an existing program (taking ownership of the fd); name and type are read from the kernel. */
export function programFromFd(fd: number): Program {
  const probe = new Program(fd, '', ProgType.UNSPEC);
  let info: ProgramInfo;
  try {
    info = probe.info();
  } catch (err) {
    sys().close(fd);
    throw err;
  }
  return new Program(fd, info.name, info.type as ProgType);
}

/** Opens a program pinned in bpffs. */
export function openPinnedProgram(path: string): Program {
  return programFromFd(getPinned(path, 'program'));
}

/**
 * Turns on run_cnt / run_time_ns accounting for every program (BPF_ENABLE_STATS) until the returned handle is
 * closed. Accounting costs a little on every run, so hold it only while measuring.
 */
export function enableStats(): { readonly fd: number; close(): void } {
  let fd: number;
  try {
    fd = sys().bpf(BpfCmd.ENABLE_STATS, encodeAttr(EnableStatsAttr, { type: BpfStatsType.RUN_TIME }));
  } catch (err) {
    rethrow(err, 'Cannot enable BPF run-time statistics');
  }
  let closed = false;
  return {
    fd,
    close(): void {
      if (closed) return;
      closed = true;
      sys().close(fd);
    },
  };
}
