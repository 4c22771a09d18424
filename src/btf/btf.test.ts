import { describe, expect, it } from 'vitest';
import { BtfBuilder, buildEveryKind } from '../../test/fixtures/btf/encode.js';
import { BtfMissingFieldError, BtfParseError, BtfTypeError, parseBtf, type BtfKind, type BtfType } from './index.js';

const fixture = buildEveryKind();
const { ids } = fixture;
const btf = parseBtf(fixture.bytes);

function typeOf<K extends BtfType['kind']>(id: number, kind: K): BtfType & { kind: K } {
  const t = btf.typeById(id);
  expect(t.kind).toBe(kind);
  return t as BtfType & { kind: K };
}

describe('parseBtf on a blob with every kind', () => {
  it('counts the types and reads every kind back', () => {
    expect(btf.firstId).toBe(1);
    expect(btf.lastId).toBe(fixture.lastId);
    const seen = new Set<BtfKind>();
    for (let id = 1; id <= btf.lastId; id++) seen.add(btf.typeById(id).kind);
    const all: BtfKind[] = [
      'int', 'ptr', 'array', 'struct', 'union', 'enum', 'enum64', 'fwd', 'typedef', 'volatile', 'const', 'restrict',
      'func', 'func_proto', 'var', 'datasec', 'float', 'decl_tag', 'type_tag',
    ];
    expect([...seen].sort()).toEqual([...all].sort());
    expect(btf.typeById(0)).toEqual({ kind: 'void', id: 0, name: 'void' });
  });

  it('reads int encodings', () => {
    expect(typeOf(ids.int!, 'int')).toMatchObject({ name: 'int', size: 4, bits: 32, signed: true, char: false, bool: false });
    expect(typeOf(ids.char!, 'int')).toMatchObject({ name: 'char', size: 1, signed: true, char: true });
    expect(typeOf(ids.bool!, 'int')).toMatchObject({ name: '_Bool', bool: true, signed: false });
    expect(typeOf(ids.uint!, 'int')).toMatchObject({ signed: false, bits: 32 });
  });

  it('reads struct members with bitfields and an anonymous union', () => {
    const task = typeOf(ids.task!, 'struct');
    expect(task.size).toBe(48);
    expect(task.members.map((m) => [m.name, m.bitOffset, m.bitSize])).toEqual([
      ['pid', 0, 0], ['state', 32, 3], ['flag', 35, 1], ['', 64, 0], ['comm', 96, 0], ['name', 192, 0], ['next', 256, 0],
    ]);
    expect(btf.members(ids.task!).map((m) => m.name)).toEqual(['pid', 'state', 'flag', 'a', 'b', 'comm', 'name', 'next']);
    expect(btf.findMember(ids.task!, 'b')).toEqual({ path: 'b', byteOffset: 8, bitOffset: 64, bitSize: 0, typeId: ids.uint, size: 4 });
    expect(btf.findMember(ids.task!, 'flag')).toMatchObject({ byteOffset: 4, bitOffset: 35, bitSize: 1, size: 4 });
    expect(btf.findMember(ids.task!, 'comm[3]')).toMatchObject({ byteOffset: 15, typeId: ids.char, size: 1 });
  });

  it('reads enums, signed and 64-bit', () => {
    const color = typeOf(ids.color!, 'enum');
    expect(color.signed).toBe(true);
    expect(color.values).toEqual([{ name: 'RED', value: 0n }, { name: 'GREEN', value: 1n }, { name: 'BLUE', value: -1n }]);
    const big = typeOf(ids.big!, 'enum64');
    expect(big.values.map((v) => v.value)).toEqual([1n, 0xffffffffffffn, 0xffffffffffffffffn]);
    expect(btf.enumValue('HUGE')).toEqual({ typeId: ids.big, value: 0xffffffffffffn });
    expect(() => btf.enumValue('PURPLE')).toThrow(BtfTypeError);
  });

  it('reads fwd, modifiers, functions, vars, datasecs, floats and tags', () => {
    expect(typeOf(ids.unionFwd!, 'fwd')).toMatchObject({ name: 'opaque', union: true });
    expect(typeOf(ids.taskFwd!, 'fwd')).toMatchObject({ name: 'task', union: false });
    expect(typeOf(ids.pidT!, 'typedef')).toMatchObject({ name: 'pid_t', typeId: ids.int });
    expect(typeOf(ids.volatileInt!, 'volatile').typeId).toBe(ids.int);
    expect(typeOf(ids.restrictPtr!, 'restrict').typeId).toBe(ids.intPtr);
    expect(typeOf(ids.func!, 'func')).toMatchObject({ name: 'do_open', typeId: ids.proto, linkage: 'global' });
    expect(typeOf(ids.proto!, 'func_proto')).toMatchObject({
      returnTypeId: ids.int,
      params: [{ name: 'fd', typeId: ids.pidT }, { name: 'filename', typeId: ids.constCharPtr }],
    });
    expect(typeOf(ids.var!, 'var')).toMatchObject({ name: 'counter', typeId: ids.int, linkage: 'global' });
    expect(typeOf(ids.datasec!, 'datasec')).toMatchObject({ name: '.data', size: 4, vars: [{ typeId: ids.var, offset: 0, size: 4 }] });
    expect(typeOf(ids.float!, 'float')).toMatchObject({ name: 'double', size: 8 });
    expect(typeOf(ids.declTag!, 'decl_tag')).toMatchObject({ name: 'user', typeId: ids.task, componentIdx: 0 });
    expect(typeOf(ids.typeTag!, 'type_tag')).toMatchObject({ name: 'percpu', typeId: ids.int });
  });

  it('finds types by name and kind, preferring definitions over forward declarations', () => {
    expect(btf.findByName('task')?.id).toBe(ids.task);
    expect(btf.findByName('task', 'fwd')?.id).toBe(ids.taskFwd);
    expect(btf.findByName('struct task')?.id).toBe(ids.task);
    expect(btf.findByName('enum big')?.id).toBe(ids.big);
    expect(btf.idsByName('task')).toEqual([ids.taskFwd, ids.task]);
    expect(btf.findByName('task', 'union')).toBeUndefined();
    expect(btf.findByName('nothing')).toBeUndefined();
    expect(() => btf.getByName('nothing', 'struct')).toThrow(BtfTypeError);
    expect([...btf.ids('func')]).toEqual([ids.func]);
  });

  it('resolves qualifier chains and computes sizes and alignments', () => {
    expect(btf.resolve(ids.volatileConstTypedef!)).toBe(ids.int);
    expect(btf.resolve(ids.typeTagPtr!)).toBe(ids.typeTagPtr);
    expect(btf.sizeOf(ids.intArray!)).toBe(64);
    expect(btf.sizeOf(ids.volatileConstTypedef!)).toBe(4);
    expect(btf.sizeOf(ids.constCharPtr!)).toBe(8);
    expect(btf.sizeOf(ids.var!)).toBe(4);
    expect(btf.alignOf(ids.task!)).toBe(8);
    expect(btf.alignOf(ids.charArray!)).toBe(1);
    expect(() => btf.sizeOf(ids.taskFwd!)).toThrow(BtfTypeError);
    expect(() => btf.sizeOf(0)).toThrow(BtfTypeError);
    expect(() => btf.typeById(btf.lastId + 1)).toThrow(BtfTypeError);
  });

  it('prints C types and declarations', () => {
    expect(btf.formatType(ids.constCharPtr!)).toBe('const char *');
    expect(btf.formatType(ids.intArray!)).toBe('int[16]');
    expect(btf.formatType(ids.cbPtr!)).toBe('void (*)(int)');
    expect(btf.formatType(ids.taskPtrFwd!)).toBe('struct task *');
    expect(btf.formatType(ids.restrictPtr!)).toBe('int * restrict');
    expect(btf.formatType(ids.volatileConstTypedef!)).toBe('const volatile pid_t');
    expect(btf.formatType(ids.typeTagPtr!)).toBe('int __attribute__((btf_type_tag("percpu"))) *');
    expect(btf.formatType(ids.varargProto!)).toBe('int(const char *, ...)');
    expect(btf.formatType(ids.unionFwd!)).toBe('union opaque');
    expect(btf.formatType(ids.big!)).toBe('enum big');
    expect(btf.formatDecl(ids.constCharPtr!, 'filename')).toBe('const char * filename');
    expect(btf.formatDecl(ids.int!, 'fd')).toBe('int fd');
  });

  it('prints definitions with bitfields, inline anonymous members and padding', () => {
    expect(btf.formatDefinition(ids.task!)).toBe(
      [
        'struct task {',
        '\tint pid;',
        '\tunsigned int state: 3;',
        '\tunsigned int flag: 1;',
        '\tunion {',
        '\t\tint a;',
        '\t\tunsigned int b;',
        '\t};',
        '\tchar comm[8];',
        '\tconst char *name;',
        '\tstruct task *next;',
        '\tlong: 64;',
        '};',
      ].join('\n'),
    );
    expect(btf.formatDefinition(ids.color!)).toBe('enum color {\n\tRED = 0,\n\tGREEN = 1,\n\tBLUE = -1,\n};');
    expect(btf.formatDefinition(ids.big!)).toBe('enum big {\n\tSMALL = 1ULL,\n\tHUGE = 281474976710655ULL,\n\tTOP = 18446744073709551615ULL,\n};');
    expect(btf.formatDefinition(ids.pidT!)).toBe('typedef int pid_t;');
    expect(() => btf.formatDefinition(ids.int!)).toThrow(BtfTypeError);
  });

  it('gives function prototypes and raw tracepoint arguments', () => {
    const open = btf.funcProto('do_open');
    expect(open.params.map((p) => btf.formatDecl(p.typeId, p.name))).toEqual(['pid_t fd', 'const char * filename']);
    expect(btf.formatType(open.returnTypeId)).toBe('int');
    const demo = btf.rawTracepointArgs('demo');
    expect(demo.params.map((p) => btf.formatDecl(p.typeId, p.name))).toEqual(['struct task * prev', 'int cpu']);
    expect(demo.typedefId).toBe(btf.findByName('btf_trace_demo', 'typedef')?.id);
    expect(btf.rawTracepointNames()).toEqual(['demo']);
    expect(() => btf.funcProto('nope')).toThrow(BtfTypeError);
    expect(() => btf.rawTracepointArgs('nope')).toThrow(BtfTypeError);
  });

  it('names the nearest existing fields when a field is missing', () => {
    let err: unknown;
    try {
      btf.findMember(ids.task!, 'pidd');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BtfMissingFieldError);
    const missing = err as BtfMissingFieldError;
    expect(missing.available[0]).toBe('pid');
    expect(missing.available).toHaveLength(8);
    expect(missing.message).toMatch(/^struct task has no field named pidd: nearest are pid, /);
    expect(() => btf.findMember(ids.task!, 'pid.x')).toThrow(BtfTypeError);
    expect(() => btf.findMember(ids.task!, 'next.pid')).toThrow("Cannot look up field next.pid: next is 'struct task *', not a struct or union");
    expect(() => btf.findMember(ids.task!, 'comm[8]')).toThrow('Cannot look up field comm[8]: index 8 is past the 8 elements of comm');
    expect(() => btf.findMember(ids.int!, 'x')).toThrow(BtfTypeError);
  });
});

describe('split BTF', () => {
  it('continues ids and strings from its base', () => {
    const mod = new BtfBuilder({ lastId: fixture.lastId, strLen: fixture.stringBytes });
    const intId = ids.int!;
    const nameOff = mod.str('mod_state');
    expect(nameOff).toBeGreaterThan(fixture.stringBytes);
    const modStruct = mod.struct('mod_state', 16, [
      { name: 'count', type: intId, bitOffset: 0 },
      { name: 'owner', type: ids.constCharPtr!, bitOffset: 64 },
    ]);
    // 'task' is a string the base has: split BTF may name types by base string offsets.
    const alias = mod.typedef('task_alias', ids.task!);
    const split = parseBtf(mod.build(), btf);
    expect(split.firstId).toBe(btf.lastId + 1);
    expect(modStruct).toBe(split.firstId);
    expect(split.lastId).toBe(alias);
    expect(split.typeById(intId).name).toBe('int');
    expect(split.findByName('mod_state', 'struct')?.id).toBe(modStruct);
    expect(split.findByName('task', 'struct')?.id).toBe(ids.task);
    expect(split.findMember(modStruct, 'owner')).toMatchObject({ byteOffset: 8, typeId: ids.constCharPtr });
    expect(split.formatType(alias)).toBe('task_alias');
    expect(split.formatDefinition(alias)).toBe('typedef struct task task_alias;');
    expect(split.sizeOf(alias)).toBe(48);
  });
});

describe('byte order and alignment', () => {
  it('reads big-endian and unaligned blobs the same as the native one', () => {
    const every = (b: ReturnType<typeof parseBtf>) =>
      Array.from({ length: b.lastId + 1 }, (_, id) => b.typeById(id));
    const be = new BtfBuilder();
    const beInt = be.int('int', 4, { signed: true });
    be.struct('pair', 8, [{ name: 'a', type: beInt, bitOffset: 0 }, { name: 'b', type: beInt, bitOffset: 32, bitSize: 7 }]);
    be.enum64('e', 8, [['X', -2n]], true);
    const le = parseBtf(be.build());
    const big = parseBtf(be.build({ bigEndian: true }));
    expect(every(big)).toEqual(every(le));
    const shifted = new Uint8Array(fixture.bytes.length + 1);
    shifted.set(fixture.bytes, 1);
    expect(every(parseBtf(shifted.subarray(1)))).toEqual(every(btf));
  });
});

describe('parse errors', () => {
  it('rejects a bad header with a typed error', () => {
    expect(() => parseBtf(new Uint8Array(4))).toThrow(BtfParseError);
    const bad = fixture.bytes.slice();
    bad[0] = 0;
    expect(() => parseBtf(bad)).toThrow(/^Cannot parse BTF: bad magic/);
  });
});
