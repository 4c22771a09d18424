// Instruction-layer throughput: typed encoders against bare object literals (the cost of range checks),
// the assembler's label resolution, byte encoding and decoding, and the disassembler.
// Run: node scripts/run-ts.mjs bench/isa.ts
import { Assembler, AluOp, decodeInsns, disassemble, encodeInsns, exit, JmpOp, mov64Imm, alu64Reg, type Insn } from '../src/isa/index.js';

const N = 1_000_000;

function time(label: string, fn: () => unknown): number {
  fn(); // warm up
  const start = process.hrtime.bigint();
  fn();
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`${label.padEnd(44)} ${(ns / 1e6).toFixed(1).padStart(8)} ms  ${((N / ns) * 1e3).toFixed(1).padStart(7)} M insn/s`);
  return ns;
}

let sink = 0;
const literal = time('object literals (baseline)', () => {
  const out: Insn[] = new Array(N);
  for (let i = 0; i < N; i++) out[i] = { code: 0xb7, dst: i % 10, src: 0, off: 0, imm: i | 0 };
  sink += out.length;
});
const typed = time('typed encoders (mov64Imm)', () => {
  const out: Insn[] = new Array(N);
  for (let i = 0; i < N; i++) out[i] = mov64Imm((i % 10) as 0, i | 0);
  sink += out.length;
});
console.log(`encoder overhead over literals: ${(typed / literal).toFixed(2)}x`);

const push = time('array push of prebuilt jumps (baseline)', () => {
  const out: Insn[] = [];
  const add = alu64Reg(AluOp.ADD, 1, 2);
  for (let i = 0; i < N; i += 8) {
    out.push({ code: 0x15, dst: 1, src: 0, off: 6, imm: 0 });
    for (let k = 0; k < 6; k++) out.push(add);
    out.push(exit());
  }
  sink += out.length;
});
const assembled = time('assembler: emit + jump every 8th + assemble', () => {
  const asm = new Assembler();
  const add = alu64Reg(AluOp.ADD, 1, 2);
  for (let i = 0; i < N; i += 8) {
    const label = asm.newLabel();
    asm.jmpImm(JmpOp.JEQ, 1, 0, label);
    for (let k = 0; k < 6; k++) asm.emit(add);
    asm.label(label).emit(exit());
  }
  sink += asm.assemble().insns.length;
});
console.log(`assembler cost over plain pushes: ${(assembled / push).toFixed(2)}x`);

const prog: Insn[] = [];
for (let i = 0; i < N; i++) prog.push(i % 7 === 0 ? exit() : alu64Reg(AluOp.ADD, 1, 2));
let bytes: Uint8Array = new Uint8Array();
time('encodeInsns', () => {
  bytes = encodeInsns(prog);
});
time('decodeInsns', () => {
  sink += decodeInsns(bytes).length;
});
time('disassemble', () => {
  sink += disassemble(prog).length;
});
if (sink === 0) console.log('');
