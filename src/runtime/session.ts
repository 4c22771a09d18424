// Running a compiled script, in bpftrace's order:
//   load maps and programs → write the globals → run begin probes (BPF_PROG_TEST_RUN; their records wait in the
//   ring buffer) → attach every other probe → release the -c command → "Attached N probes" → poll the ring
//   buffer until exit(), a signal, the traced process's end, or (with only begin/end probes) an empty buffer →
//   detach → run end probes → drain → lost-event warning → print the maps.
// An iterator (iter:) has run by the time it is attached; its seq output is written after "Attached" and the
// run goes straight to the end probes, with no poll in between. Bench mode attaches nothing: after the begin
// probes it times each bench probe (output thrown away), prints the results, then runs the end probes.
import { readFileSync } from 'node:fs';
import { Epoll, ProgType, sys } from '../sys/index.js';
import type { BpfMap } from '../kernel/map.js';
import { RingBufReader } from '../kernel/ringbuf.js';
import type { Program } from '../kernel/program.js';
import { EVENT_LOSS_MAP, GLOBALS_LAYOUT, GLOBALS_MAP, RINGBUF_MAP, userMaps, type CompiledArtifact } from '../lang/codegen/artifact.js';
import { attachAll, type AttachedProbe } from './attach.js';
import type { ChildCommand } from './child.js';
import { encodeUint } from './decode.js';
import { ScriptRunError } from './errors.js';
import { EventHandler } from './events.js';
import { loadScript, type LoadedProgram, type LoadedScript } from './loader.js';
import { readUserMap } from './map-reader.js';
import { CaptureOutput, DiscardOutput, lostEventsWarning, printMapsAtExit, type Output } from './output/index.js';
import { probeExecutables, sessionDecodeContext } from './symbolize.js';

export interface SessionOptions {
  readonly artifact: CompiledArtifact;
  readonly output: Output;
  /** Called after each batch of records and before anything is written outside `output`. */
  readonly flush: () => void;
  /** Diagnostics outside the Output (verbose notes, event errors, the lost-event total): stderr. */
  readonly log: (text: string) => void;
  /** The bpftrace test runner's handshake line goes straight to the real stdout. */
  readonly notify?: (text: string) => void;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  readonly dryRun?: boolean;
  readonly unsafe?: boolean;
  /** warnf() output (off with --no-warnings). */
  readonly warnings?: boolean;
  /** -p PID */
  readonly pid?: number;
  /** -c CMD, started and held at its gate by the caller. */
  readonly child?: ChildCommand;
  /** Print `__BPFTRACE_NOTIFY_PROBES_ATTACHED` once attached. */
  readonly notifyAttached?: boolean;
  /** Poll timeout (ms) of one wait for records. */
  readonly pollMs?: number;
  /** True once the output is gone (a closed pipe, as with `| head`): the run then ends as on Ctrl-C. */
  readonly outputClosed?: () => boolean;
  /** `run` (default) attaches and traces; `bench` times the bench: probes instead (--mode bench). */
  readonly mode?: 'run' | 'bench';
  /** Where an iterator's seq output (bpf_seq_printf) goes, as bpftrace writes it: raw, to stdout by default. */
  readonly seqOutput?: (chunk: Uint8Array) => void;
}

/** Runs the script to its end; resolves to bpftrace's exit code (exit()'s argument, 0 otherwise). */
export async function runSession(options: SessionOptions): Promise<number> {
  const session = new Session(options);
  try {
    return await session.run();
  } finally {
    session.close();
  }
}

const BATCH_MS = 50;

// XDP (what bpftrace loads bench probes as) takes a packet of at least an Ethernet header to test-run.
const ETH_HLEN = 14;

/** False once the process has exited, zombies included (their parent may not have reaped them yet). */
function processRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}
// Thrown by the record callback to end a batch early (RingBufReader.poll stops after a throwing callback).
const YIELD = Symbol('yield');

class Session {
  readonly #o: SessionOptions;
  #loaded: LoadedScript | undefined;
  /** Everything the script prints goes through here, so bench mode can silence it and count errors. */
  readonly #out: CaptureOutput;
  #reader: RingBufReader | undefined;
  #epfd = -1;
  #attached: AttachedProbe[] = [];
  #handler: EventHandler | undefined;
  #finalize = false;
  #exitSignal = false;
  #exitCode = 0;
  /** A bench probe failed: the run exits 1 whatever exit() said. */
  #benchFailed = false;
  #lostSeen = 0n;
  /** True while the poll loop waits for records (it is not in the middle of delivering a batch). */
  #waiting = false;
  /** The signal came while waiting: what the ring buffer holds is still printed after the end probes. */
  #signalWhileWaiting = false;
  readonly #onSignal = (): void => {
    this.#exitSignal = true;
    if (this.#waiting) this.#signalWhileWaiting = true;
  };

  constructor(options: SessionOptions) {
    this.#o = options;
    this.#out = new CaptureOutput(options.output);
  }

  async run(): Promise<number> {
    const o = this.#o;
    const artifact = o.artifact;
    process.on('SIGINT', this.#onSignal);
    process.on('SIGTERM', this.#onSignal);

    const loaded = loadScript(artifact, { verbose: o.verbose ?? false });
    this.#loaded = loaded;
    if (o.verbose) this.#describePrograms(loaded);
    this.#writeGlobals(loaded.maps);
    const ringbuf = loaded.maps.get(RINGBUF_MAP);
    if (!ringbuf) throw new ScriptRunError('The compiled script has no ring buffer');
    this.#reader = new RingBufReader(ringbuf);
    // The probed executables let stacks of processes that exited before printing still resolve.
    const decode = sessionDecodeContext(loaded.maps, artifact.config.raw, artifact.config.maxStrlen, { programs: probeExecutables(artifact) });
    this.#handler = new EventHandler({
      artifact,
      maps: loaded.maps,
      output: this.#out,
      decode,
      unsafe: o.unsafe ?? artifact.config.unsafe,
      warnings: o.warnings ?? true,
      onExit: (code) => {
        this.#exitCode = code;
        this.#requestFinalize();
      },
      flush: o.flush,
    });

    const begins = loaded.programs.filter((p) => p.def.target.kind === 'begin');
    const ends = loaded.programs.filter((p) => p.def.target.kind === 'end');
    const benches = loaded.programs.filter((p) => p.def.target.kind === 'bench');
    const bench = o.mode === 'bench';
    for (const p of begins) p.program.testRun();

    let benchesRun = 0;
    let hasIter = false;
    const seqChunks: Uint8Array[] = [];
    if (bench) {
      if (o.dryRun) return 0;
      benchesRun = await this.#runBenchmarks(benches);
    } else {
      const missing = String(artifact.config.raw['missing_probes'] ?? 'error');
      // -c's command is the traced process as -p's is: watchpoints, uprobes and perf events follow it alone.
      const pid = o.pid ?? o.child?.pid;
      this.#attached = attachAll(loaded.programs, {
        ...(pid !== undefined ? { pid } : {}),
        missingProbes: missing === 'warn' || missing === 'ignore' ? missing : 'error',
        warn: (text) => o.log(text),
        // Held until "Attached N probes" is out, where bpftrace writes it.
        iterOutput: (chunk) => seqChunks.push(Uint8Array.from(chunk)),
      });
      hasIter = loaded.programs.some((p) => p.def.target.kind === 'iter');
      if (o.dryRun) return 0;
      o.child?.release();
    }

    const attachedCount = this.#attached.length;
    const total = attachedCount + begins.length + ends.length + benchesRun;
    if (total === 0) {
      throw new ScriptRunError(benches.length > 0 ? 'No probes attached; use --bench to run benchmark probes.' : 'Attachment failed for all probes.');
    }
    if (!o.quiet && !bench) this.#out.attachedProbes(total);
    if (o.notifyAttached) {
      o.flush();
      (o.notify ?? ((t: string) => process.stdout.write(t)))('__BPFTRACE_NOTIFY_PROBES_ATTACHED\n');
    }

    if (hasIter) {
      // The iteration is over: what it wrote is printed, and the run ends without waiting for events.
      o.flush();
      const write = o.seqOutput ?? ((chunk: Uint8Array) => process.stdout.write(chunk));
      for (const chunk of seqChunks) write(chunk);
    } else {
      await this.#poll(bench || ((begins.length > 0 || ends.length > 0) && attachedCount === 0));
    }

    this.#detach();
    // As in bpftrace, where the signal lands decides what happens to records still in the ring buffer. While
    // records are being delivered (under load), the next one sees the signal and it and every one after it
    // until the buffer is empty are dropped, as after exit(): a Ctrl-C under heavy load must not wait for
    // thousands of them (system() in a busy probe) before the end probes run. While waiting for records, the
    // wait just ends, and whatever the buffer holds is printed by the drain after the end probes.
    if (this.#finalize || (this.#exitSignal && !this.#signalWhileWaiting)) this.#reader.poll(() => undefined);
    this.#finalize = false;
    this.#exitSignal = false;
    this.#signalWhileWaiting = false;
    for (const p of ends) p.program.testRun();
    await this.#poll(true);

    const lost = this.#lostTotal();
    if (lost > 0n) {
      o.flush();
      o.log(lostEventsWarning(lost));
    }
    if (artifact.config.printMapsOnExit && !bench) {
      const snapshots = userMaps(artifact).flatMap((def) => {
        const map = loaded.maps.get(def.name);
        return map ? [readUserMap(def, map, decode)] : [];
      });
      printMapsAtExit(this.#out, snapshots);
    } else {
      this.#out.end();
    }
    o.flush();
    return this.#benchFailed ? 1 : this.#exitCode;
  }

  close(): void {
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    this.#detach();
    if (this.#epfd >= 0) sys().close(this.#epfd);
    this.#epfd = -1;
    this.#reader?.close();
    this.#reader = undefined;
    this.#loaded?.close();
    this.#loaded = undefined;
    this.#o.child?.terminate();
  }

  #describePrograms(loaded: LoadedScript): void {
    for (const p of loaded.programs) {
      const info = p.program.info();
      this.#o.log(`Program ${p.def.probe} (${p.def.name}): ${p.def.insns.length} instructions, ${info.verifiedInsns} verified, ${info.jitedLen} bytes jited\n`);
      if (p.program.verifierLog) this.#o.log(p.program.verifierLog.endsWith('\n') ? p.program.verifierLog : `${p.program.verifierLog}\n`);
    }
  }

  /**
   * Times each bench probe as bpftrace does: run it `iterations` times, growing the count until the runs
   * together take at least a millisecond, then print the average time of one run. Output is thrown away while
   * they run; a probe that returns non-zero is skipped, one that calls exit() with a non-zero code or reports an
   * error fails the run (exit code 1). Returns how many bench probes ran.
   */
  async #runBenchmarks(benches: readonly LoadedProgram[]): Promise<number> {
    const names = benches.map((b) => (b.def.target.kind === 'bench' ? b.def.target.name : b.def.probe));
    const discard = new DiscardOutput();
    let failed = false;
    let ran = 0;
    try {
      for (const [index, b] of benches.entries()) {
        if (this.#exitSignal) break;
        ran++;
        let iterations = 1;
        for (;;) {
          this.#out.target = discard;
          this.#out.errorCount = 0;
          let timed: { retval: number; averageNs: number };
          try {
            timed = timeRuns(b.program, iterations);
          } catch (err) {
            throw new ScriptRunError(`Cannot run benchmark '${names[index]}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          }
          const { retval, averageNs } = timed;
          await this.#poll(true);
          // exit() in a bench probe ends nothing but this probe's measurement.
          this.#finalize = false;
          if (this.#exitSignal) break;
          if (this.#exitCode === 0 && retval !== 0) break;
          const totalNs = averageNs * iterations;
          if (totalNs < 1_000) iterations *= 1000;
          else if (totalNs < 10_000) iterations *= 100;
          else if (totalNs < 100_000) iterations *= 10;
          else if (totalNs < 1_000_000) iterations *= 2;
          else {
            this.#out.target = this.#o.output;
            if (this.#exitCode !== 0 || this.#out.errorCount !== 0) {
              this.#o.flush();
              this.#o.log(`ERROR: Benchmark '${names[index]}' failed.\n`);
              failed = true;
              this.#exitCode = 0;
            } else {
              this.#out.benchmarkResult(names, index, averageNs, iterations);
            }
            break;
          }
        }
      }
    } finally {
      this.#out.target = this.#o.output;
    }
    if (failed) this.#benchFailed = true;
    return ran;
  }

  #writeGlobals(maps: ReadonlyMap<string, BpfMap>): void {
    const globals = maps.get(GLOBALS_MAP);
    if (!globals) return;
    const value = new Uint8Array(globals.spec.valueSize);
    value.set(encodeUint(process.hrtime.bigint(), 8), GLOBALS_LAYOUT.startNs);
    if (this.#o.child) value.set(encodeUint(BigInt(this.#o.child.pid), 8), GLOBALS_LAYOUT.cpid);
    globals.update(encodeUint(0n, globals.spec.keySize), value);
  }

  #requestFinalize(): void {
    this.#finalize = true;
    this.#detach();
    this.#o.child?.terminate();
  }

  #detach(): void {
    for (const a of this.#attached) for (const l of a.links) l.close();
    this.#attached = [];
  }

  // A batch of records runs synchronously; past this budget it stops so that signals (Ctrl-C) get through.
  #batchDeadline = 0;

  #onRecord = (record: Uint8Array): void => {
    this.#handleRecord(record);
    // After the record: the reader counts a record as consumed even when the callback throws.
    if (performance.now() > this.#batchDeadline) throw YIELD;
  };

  #handleRecord(record: Uint8Array): void {
    if (this.#finalize) return;
    if (this.#exitSignal) {
      this.#requestFinalize();
      return;
    }
    try {
      this.#handler!.handle(record);
    } catch (err) {
      this.#o.flush();
      this.#o.log(`ERROR: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }

  #lostTotal(): bigint {
    const map = this.#loaded?.maps.get(EVENT_LOSS_MAP);
    if (!map) return 0n;
    const key = encodeUint(0n, map.spec.keySize);
    const slots = map.isPerCpu ? map.lookupPerCpu(key) : [map.lookup(key)];
    let total = 0n;
    for (const s of slots ?? []) if (s) total += new DataView(s.buffer, s.byteOffset, 8).getBigUint64(0, true);
    return total;
  }

  #pollLoss(): void {
    const now = this.#lostTotal();
    if (now > this.#lostSeen) {
      this.#out.lostEvents(now - this.#lostSeen);
      this.#lostSeen = now;
    }
  }

  #traceeGone(): boolean {
    const o = this.#o;
    if (o.child && !o.child.isAlive) return true;
    if (o.pid !== undefined) return !processRunning(o.pid);
    return false;
  }

  /** Delivers what the ring buffer holds, for up to BATCH_MS; the count is non-zero when it stopped early. */
  async #batch(reader: RingBufReader): Promise<number> {
    this.#batchDeadline = performance.now() + BATCH_MS;
    try {
      return reader.poll(this.#onRecord);
    } catch (err) {
      if (err !== YIELD) throw err;
      this.#o.flush();
      // One turn of the event loop, where pending signal handlers run.
      await new Promise((resolve) => setImmediate(resolve));
      return 1;
    }
  }

  // bpftrace's poll_output: stop on a signal, or when a poll finds nothing and we are draining or finalizing.
  async #poll(drain: boolean): Promise<void> {
    const reader = this.#reader!;
    const s = sys();
    if (this.#epfd < 0) {
      this.#epfd = s.epollCreate();
      s.epollCtl(this.#epfd, Epoll.CTL_ADD, this.#loaded!.maps.get(RINGBUF_MAP)!.fd, Epoll.IN);
    }
    const timeout = this.#o.pollMs ?? 100;
    for (;;) {
      this.#pollLoss();
      let n = await this.#batch(reader);
      if (n === 0 && !this.#exitSignal) {
        // Draining after test runs (which commit synchronously) or after detaching: nothing more is coming
        // once nothing is pending, so there is no need to wait out a timeout.
        if ((drain || this.#finalize) && reader.pending() === 0) {
          this.#o.flush();
          return;
        }
        this.#waiting = true;
        try {
          await s.epollWaitAsync(this.#epfd, 1, timeout);
        } finally {
          this.#waiting = false;
        }
        if (this.#signalWhileWaiting) {
          this.#o.flush();
          return;
        }
        n = await this.#batch(reader);
      }
      this.#o.flush();
      if (this.#o.outputClosed?.()) this.#exitSignal = true;
      if (this.#exitSignal) {
        this.#finalize = true;
        return;
      }
      if (n === 0 && (drain || this.#finalize)) return;
      if (this.#traceeGone()) {
        // What the command printed before exiting may still be in the buffer.
        while ((await this.#batch(reader)) > 0 && !this.#exitSignal);
        this.#o.flush();
        return;
      }
    }
  }
}

/**
 * Runs a program `iterations` times and gives the average time of one run. XDP programs (bpftrace's bench
 * probes) are repeated and timed by the kernel; other types refuse a repeat count, so they are run one at a time
 * and timed here, which adds the system call's own cost to every run.
 */
function timeRuns(program: Program, iterations: number): { retval: number; averageNs: number } {
  if (program.type === ProgType.XDP) {
    const r = program.testRun({ repeat: iterations, dataIn: new Uint8Array(ETH_HLEN) });
    return { retval: r.retval, averageNs: r.durationNs };
  }
  // One untimed run first, so that the first measurement is not mostly the cost of a cold path.
  let retval = program.testRun().retval;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) retval = program.testRun().retval;
  return { retval, averageNs: Number((process.hrtime.bigint() - start) / BigInt(iterations)) };
}
