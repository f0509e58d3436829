import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import type { DType } from '../../src/ir/graph.js';
import { readNpy, readNpyFile, writeNpy, writeNpyFile, type NpyArray } from '../../src/host/npy.js';

/** Latin-1 text as bytes. */
function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/**
 * A .npy file from its parts: magic, version, header length (2 bytes for 1.0, 4 otherwise), the
 * header text padded with spaces and '\n' to `padTo` bytes, then the data bytes.
 */
function npyBytes(
  major: number,
  header: string,
  padTo: number,
  data: readonly number[],
): Uint8Array {
  const text = header.padEnd(padTo - 1, ' ') + '\n';
  const len = text.length;
  const lengthField = major === 1 ? [len & 0xff, len >> 8] : [len & 0xff, len >> 8, 0, 0];
  return Uint8Array.from([
    0x93,
    ...ascii('NUMPY'),
    major,
    0,
    ...lengthField,
    ...ascii(text),
    ...data,
  ]);
}

const f32Header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
// 1.0, -2.0, 0.5, 0, 3.0, -0.25 as little-endian float32
const f32Data = [
  [0x00, 0x00, 0x80, 0x3f],
  [0x00, 0x00, 0x00, 0xc0],
  [0x00, 0x00, 0x00, 0x3f],
  [0x00, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0x40, 0x40],
  [0x00, 0x00, 0x80, 0xbe],
].flat();

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('readNpy / writeNpy on hand-made bytes', () => {
  it('float32 2×3, version 1.0: exactly the bytes NumPy writes (header padded to 64 bytes)', () => {
    // 10 bytes of magic/version/length + 118 header bytes = 128
    const bytes = npyBytes(1, f32Header, 118, f32Data);
    expect(bytes.length).toBe(128 + 24);
    expect(Array.from(bytes.subarray(0, 10))).toEqual([
      0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00,
    ]);
    const a = readNpy(bytes, 'a.npy');
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data as Float32Array)).toEqual([1, -2, 0.5, 0, 3, -0.25]);
    expect(a.data).toBeInstanceOf(Float32Array);
    expect(Array.from(writeNpy(a))).toEqual(Array.from(bytes));
  });

  it('int64, bool, uint8 and a scalar, as NumPy writes them', () => {
    const i64 = npyBytes(
      1,
      "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
      118,
      [0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0],
    );
    expect(readNpy(i64, 'i.npy')).toEqual({ dtype: 'int64', shape: [2], data: [-5, 2 ** 40] });
    expect(Array.from(writeNpy(readNpy(i64, 'i.npy')))).toEqual(Array.from(i64));
    const bool = npyBytes(
      1,
      "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
      118,
      [1, 0, 1],
    );
    const b = readNpy(bool, 'b.npy');
    expect(b.dtype).toBe('bool');
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0, 1]);
    expect(Array.from(writeNpy(b))).toEqual(Array.from(bool));
    const scalar = npyBytes(
      1,
      "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
      118,
      [0, 0, 0, 0, 0, 0, 0x04, 0x40],
    );
    expect(readNpy(scalar, 's.npy')).toEqual({
      dtype: 'float64',
      shape: [],
      data: Float64Array.of(2.5),
    });
    expect(Array.from(writeNpy(readNpy(scalar, 's.npy')))).toEqual(Array.from(scalar));
    const u8 = npyBytes(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 0), }", 118, []);
    expect(readNpy(u8, 'u.npy')).toEqual({ dtype: 'uint8', shape: [2, 0], data: new Uint8Array() });
  });

  it('reads versions 2.0 and 3.0 (4-byte header length), any key order and spacing', () => {
    const header = "{'shape':(3,),'fortran_order':False,'descr':'<i2'}";
    for (const major of [2, 3]) {
      const bytes = npyBytes(major, header, 116, [1, 0, 0xff, 0xff, 0x00, 0x80]);
      expect(readNpy(bytes, 'v.npy')).toEqual({
        dtype: 'int16',
        shape: [3],
        data: Int16Array.of(1, -1, -32768),
      });
    }
  });

  it('a 1-D array marked Fortran order is read (C and Fortran order coincide)', () => {
    const bytes = npyBytes(
      1,
      "{'descr': '<i4', 'fortran_order': True, 'shape': (1,), }",
      118,
      [7, 0, 0, 0],
    );
    expect(readNpy(bytes, 'f.npy').data).toEqual(Int32Array.of(7));
  });
});

describe('readNpy refuses bad files, naming the file and the reason', () => {
  const cases: readonly [string, Uint8Array, RegExp][] = [
    [
      'Fortran order',
      npyBytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 118, f32Data),
      /x\.npy: the array is in Fortran \(column-major\) order; gemmforge reads C order/,
    ],
    [
      'big-endian',
      npyBytes(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", 118, f32Data),
      /x\.npy: dtype '>f4' is big-endian/,
    ],
    [
      'an unsupported dtype',
      npyBytes(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 118, [0, 0]),
      /x\.npy: dtype '<c8' is not supported; gemmforge reads <f4, <f8/,
    ],
    [
      'truncated data',
      npyBytes(1, f32Header, 118, f32Data.slice(0, 20)),
      /x\.npy: truncated \.npy file \(shape \[2,3\] of float32 needs 24 data bytes, 20 follow/,
    ],
    [
      'trailing bytes',
      npyBytes(1, f32Header, 118, [...f32Data, 0]),
      /x\.npy: malformed \.npy file \(1 bytes follow the 24 data bytes/,
    ],
    [
      'a truncated header',
      npyBytes(1, f32Header, 118, []).subarray(0, 60),
      /x\.npy: truncated \.npy file \(the header declares 118 bytes, 50 follow\)/,
    ],
    [
      'a bad magic string',
      Uint8Array.from(ascii('PK\x03\x04 not numpy')),
      /x\.npy: not a \.npy file/,
    ],
    [
      'an unknown version',
      npyBytes(4, f32Header, 118, f32Data),
      /x\.npy: \.npy format version 4\.0 is not supported/,
    ],
    [
      'a header that is not a dict',
      npyBytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", 118, f32Data),
      /x\.npy: malformed \.npy header \(expected a string, True, False or a tuple/,
    ],
    [
      'a header without shape',
      npyBytes(1, "{'descr': '<f4', 'fortran_order': False}", 118, f32Data),
      /x\.npy: malformed \.npy header \(no tuple 'shape'\)/,
    ],
  ];
  it.each(cases)('%s', (_, bytes, message) => {
    const e = errorOf(() => readNpy(bytes, 'x.npy'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(message);
  });

  it('writeNpy refuses data that does not fit the dtype or shape', () => {
    expect(() => writeNpy({ dtype: 'int32', shape: [2], data: Float32Array.of(1, 2) })).toThrow(
      /does not hold int32/,
    );
    expect(() => writeNpy({ dtype: 'float32', shape: [3], data: Float32Array.of(1, 2) })).toThrow(
      /2 elements for shape \[3\]/,
    );
    expect(() => writeNpy({ dtype: 'int64', shape: [1], data: [0.5] })).toThrow(/int64 element 0/);
  });
});

/** An arbitrary array of one dtype: a shape of up to 3 dims and matching data. */
function arrayOf(dtype: DType): fc.Arbitrary<NpyArray> {
  const shape = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 });
  return shape.chain((dims) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const ints = (min: number, max: number) =>
      fc.array(fc.integer({ min, max }), { minLength: n, maxLength: n });
    const data: fc.Arbitrary<NpyArray['data']> = {
      float32: fc
        .array(fc.float({ noNaN: true }), { minLength: n, maxLength: n })
        .map((v) => Float32Array.from(v)),
      float64: fc
        .array(fc.double({ noNaN: true }), { minLength: n, maxLength: n })
        .map((v) => Float64Array.from(v)),
      int8: ints(-128, 127).map((v) => Int8Array.from(v)),
      uint8: ints(0, 255).map((v) => Uint8Array.from(v)),
      int16: ints(-32768, 32767).map((v) => Int16Array.from(v)),
      uint16: ints(0, 65535).map((v) => Uint16Array.from(v)),
      int32: ints(-(2 ** 31), 2 ** 31 - 1).map((v) => Int32Array.from(v)),
      int64: fc.array(fc.maxSafeInteger(), { minLength: n, maxLength: n }),
      bool: ints(0, 1).map((v) => Uint8Array.from(v)),
    }[dtype];
    return data.map((d) => ({ dtype, shape: dims, data: d }));
  });
}

const dtypes: readonly DType[] = [
  'float32',
  'float64',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'int64',
  'bool',
];

describe('round trip', () => {
  it('readNpy(writeNpy(a)) equals a, and the data starts at a multiple of 64 bytes', () => {
    const arb = fc.constantFrom(...dtypes).chain(arrayOf);
    fc.assert(
      fc.property(arb, (a) => {
        const bytes = writeNpy(a);
        const headerLength = bytes[8] | (bytes[9] << 8);
        expect((10 + headerLength) % 64).toBe(0);
        expect(readNpy(bytes, 'rt.npy')).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('writes and reads files; a missing file is an InputError naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    try {
      const a: NpyArray = { dtype: 'float32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) };
      writeNpyFile(join(dir, 'a.npy'), a);
      expect(readNpyFile(join(dir, 'a.npy'))).toEqual(a);
      const e = errorOf(() => readNpyFile(join(dir, 'missing.npy')));
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toMatch(/missing\.npy: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
