import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';
import { elementCount, type DType, type TensorData } from '../ir/graph.js';

/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian, C order. An array is the
 * host runtime's value: dtype, shape and row-major data in the graph IR's per-dtype arrays (int64
 * as a plain number[], bool as a Uint8Array of 0/1), so it can be passed as a `HostValue`.
 */
export interface NpyArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The bytes of one element and the type code NumPy writes, per dtype. */
const descrs: Readonly<Record<DType, { readonly descr: string; readonly bytes: number }>> = {
  float32: { descr: '<f4', bytes: 4 },
  float64: { descr: '<f8', bytes: 8 },
  int8: { descr: '|i1', bytes: 1 },
  uint8: { descr: '|u1', bytes: 1 },
  int16: { descr: '<i2', bytes: 2 },
  uint16: { descr: '<u2', bytes: 2 },
  int32: { descr: '<i4', bytes: 4 },
  int64: { descr: '<i8', bytes: 8 },
  bool: { descr: '|b1', bytes: 1 },
};

/** The dtype of a type code: byte order '<' (or '|' for one-byte types) then kind and size. */
function dtypeOfDescr(descr: string, fileName: string): DType {
  const order = descr[0];
  const code = descr.slice(1);
  const match = (Object.keys(descrs) as DType[]).find((d) => descrs[d].descr.slice(1) === code);
  if (order === '>') {
    throw new InputError(
      `${fileName}: dtype '${descr}' is big-endian; gemmforge reads little-endian .npy files ` +
        "(convert with arr.astype(arr.dtype.newbyteorder('<')))",
    );
  }
  const oneByte = match !== undefined && descrs[match].bytes === 1;
  if (match === undefined || !(order === '<' || (oneByte && order === '|'))) {
    throw new InputError(
      `${fileName}: dtype '${descr}' is not supported; gemmforge reads ` +
        Object.values(descrs)
          .map((d) => d.descr)
          .join(', '),
    );
  }
  return match;
}

/** A value of the header's Python dict literal. */
type HeaderValue = string | boolean | number[];

/**
 * Parses the header, a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`: string keys, values that are
 * strings, True/False or tuples of non-negative integers.
 */
function parseHeader(text: string, fileName: string): Map<string, HeaderValue> {
  let i = 0;
  const fail: (what: string) => never = (what) => {
    throw new InputError(`${fileName}: malformed .npy header (${what} at character ${i}): ${text}`);
  };
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (c: string) => {
    skipSpace();
    if (text[i] !== c) fail(`expected '${c}'`);
    i++;
  };
  const parseString = (): string => {
    skipSpace();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') fail('expected a string');
    const end = text.indexOf(quote, i + 1);
    if (end < 0) fail('unterminated string');
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const parseTuple = (): number[] => {
    expect('(');
    const dims: number[] = [];
    for (;;) {
      skipSpace();
      if (text[i] === ')') break;
      const m = /^\d+/.exec(text.slice(i));
      if (m === null) fail('expected a dimension');
      dims.push(Number(m[0]));
      i += m[0].length;
      skipSpace();
      if (text[i] === ',') i++;
      else if (text[i] !== ')') fail("expected ',' or ')'");
    }
    i++;
    return dims;
  };
  const parseValue = (): HeaderValue => {
    skipSpace();
    if (text[i] === '(') return parseTuple();
    if (text[i] === "'" || text[i] === '"') return parseString();
    for (const [word, v] of [
      ['True', true],
      ['False', false],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail('expected a string, True, False or a tuple');
  };
  const entries = new Map<string, HeaderValue>();
  expect('{');
  for (;;) {
    skipSpace();
    if (text[i] === '}') break;
    const key = parseString();
    expect(':');
    entries.set(key, parseValue());
    skipSpace();
    if (text[i] === ',') i++;
    else if (text[i] !== '}') fail("expected ',' or '}'");
  }
  i++;
  skipSpace();
  if (i !== text.length) fail('unexpected text after the dict');
  return entries;
}

interface Header {
  readonly dtype: DType;
  readonly shape: number[];
  readonly dataOffset: number;
}

/** Reads the magic string, version, header length and header dict. */
function readHeader(bytes: Uint8Array, fileName: string): Header {
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${fileName}: not a .npy file (it does not start with \\x93NUMPY)`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) {
    throw new InputError(
      `${fileName}: .npy format version ${major}.${minor} is not supported (1.0, 2.0, 3.0)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) {
    throw new InputError(`${fileName}: truncated .npy file (it ends inside the header length)`);
  }
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  const dataOffset = start + headerLength;
  if (bytes.length < dataOffset) {
    throw new InputError(
      `${fileName}: truncated .npy file (the header declares ${headerLength} bytes, ` +
        `${bytes.length - start} follow)`,
    );
  }
  const encoding = major === 3 ? 'utf-8' : 'latin1';
  const text = new TextDecoder(encoding).decode(bytes.subarray(start, dataOffset)).trim();
  const dict = parseHeader(text, fileName);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') {
    throw new InputError(`${fileName}: malformed .npy header (no string 'descr'): ${text}`);
  }
  if (typeof fortran !== 'boolean') {
    throw new InputError(
      `${fileName}: malformed .npy header (no boolean 'fortran_order'): ${text}`,
    );
  }
  if (!Array.isArray(shape)) {
    throw new InputError(`${fileName}: malformed .npy header (no tuple 'shape'): ${text}`);
  }
  const dtype = dtypeOfDescr(descr, fileName);
  if (fortran && shape.length > 1) {
    throw new InputError(
      `${fileName}: the array is in Fortran (column-major) order; gemmforge reads C order ` +
        '(save np.ascontiguousarray(arr))',
    );
  }
  return { dtype, shape, dataOffset };
}

/** Decodes `count` little-endian elements of `dtype` starting at byte `offset`. */
function decodeData(view: DataView, offset: number, dtype: DType, count: number): TensorData {
  const step = descrs[dtype].bytes;
  const read = <T extends { [i: number]: number }>(out: T, get: (at: number) => number): T => {
    for (let i = 0; i < count; i++) out[i] = get(offset + i * step);
    return out;
  };
  switch (dtype) {
    case 'float32':
      return read(new Float32Array(count), (at) => view.getFloat32(at, true));
    case 'float64':
      return read(new Float64Array(count), (at) => view.getFloat64(at, true));
    case 'int8':
      return read(new Int8Array(count), (at) => view.getInt8(at));
    case 'uint8':
      return read(new Uint8Array(count), (at) => view.getUint8(at));
    case 'bool':
      return read(new Uint8Array(count), (at) => (view.getUint8(at) === 0 ? 0 : 1));
    case 'int16':
      return read(new Int16Array(count), (at) => view.getInt16(at, true));
    case 'uint16':
      return read(new Uint16Array(count), (at) => view.getUint16(at, true));
    case 'int32':
      return read(new Int32Array(count), (at) => view.getInt32(at, true));
    case 'int64':
      return read(new Array<number>(count), (at) => Number(view.getBigInt64(at, true)));
  }
}

/**
 * Reads a .npy file's bytes. `fileName` names the file in errors: a bad magic string or version, a
 * malformed header, Fortran order, a big-endian or unsupported dtype, and data shorter or longer
 * than the shape needs are each an InputError saying so.
 */
export function readNpy(bytes: Uint8Array, fileName: string): NpyArray {
  const { dtype, shape, dataOffset } = readHeader(bytes, fileName);
  const count = elementCount(shape);
  const need = count * descrs[dtype].bytes;
  const have = bytes.length - dataOffset;
  if (have < need) {
    throw new InputError(
      `${fileName}: truncated .npy file (shape [${shape}] of ${dtype} needs ${need} data bytes, ` +
        `${have} follow the header)`,
    );
  }
  if (have > need) {
    throw new InputError(
      `${fileName}: malformed .npy file (${have - need} bytes follow the ${need} data bytes ` +
        `of shape [${shape}] ${dtype})`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype, shape, data: decodeData(view, dataOffset, dtype, count) };
}

/** The header dict NumPy writes: keys in this order, shape as a Python tuple. */
function headerText(dtype: DType, shape: readonly number[]): string {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${descrs[dtype].descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
}

/** The array type each dtype's data must be (int64 is a plain number[]). */
const arrayTypes: Readonly<Record<DType, abstract new (n: number) => ArrayLike<number>>> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  int64: Array,
};

function checkArray(array: NpyArray, what: string): void {
  const count = elementCount(array.shape);
  if (array.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InputError(`${what}: shape [${array.shape}] has a dimension that is not a size`);
  }
  if (!(array.data instanceof arrayTypes[array.dtype])) {
    throw new InputError(`${what}: the data array does not hold ${array.dtype}`);
  }
  if (array.data.length !== count) {
    throw new InputError(
      `${what}: ${array.data.length} elements for shape [${array.shape}] (${count} needed)`,
    );
  }
}

/** Writes one element at a byte offset, little-endian. */
type Setter = (view: DataView, at: number, v: number) => void;

const setters: Readonly<Record<DType, Setter>> = {
  float32: (view, at, v) => view.setFloat32(at, v, true),
  float64: (view, at, v) => view.setFloat64(at, v, true),
  int8: (view, at, v) => view.setInt8(at, v),
  uint8: (view, at, v) => view.setUint8(at, v),
  bool: (view, at, v) => view.setUint8(at, v === 0 ? 0 : 1),
  int16: (view, at, v) => view.setInt16(at, v, true),
  uint16: (view, at, v) => view.setUint16(at, v, true),
  int32: (view, at, v) => view.setInt32(at, v, true),
  int64: (view, at, v) => view.setBigInt64(at, BigInt(v), true),
};

/** Header bytes after the length field, padded so the data starts at a multiple of 64. */
function paddedLength(prefix: number, textBytes: number): number {
  return Math.ceil((prefix + textBytes + 1) / 64) * 64 - prefix;
}

/**
 * Encodes an array as a .npy file: version 1.0 (2.0 when the header needs more than 65535 bytes),
 * little-endian, C order, the header padded with spaces and a newline so the data starts at a
 * multiple of 64 bytes, as NumPy does. int64 values must be integers; bool values are written as
 * 0/1. `what` names the array in errors.
 */
export function writeNpy(array: NpyArray, what = 'array'): Uint8Array {
  checkArray(array, what);
  const data = array.data as ArrayLike<number>;
  if (array.dtype === 'int64') {
    const bad = Array.from(data).findIndex((v) => !Number.isSafeInteger(v));
    if (bad >= 0) throw new InputError(`${what}: int64 element ${bad} is ${data[bad]}`);
  }
  const text = new TextEncoder().encode(headerText(array.dtype, array.shape));
  const v1 = paddedLength(10, text.length) <= 65535;
  const prefix = v1 ? 10 : 12;
  const padded = paddedLength(prefix, text.length);
  const step = descrs[array.dtype].bytes;
  const out = new Uint8Array(prefix + padded + data.length * step);
  const view = new DataView(out.buffer);
  out.set(magic, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  if (v1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  out.set(text, prefix);
  out.fill(0x20, prefix + text.length, prefix + padded - 1);
  out[prefix + padded - 1] = 0x0a;
  const set = setters[array.dtype];
  const offset = prefix + padded;
  for (let i = 0; i < data.length; i++) set(view, offset + i * step, data[i]);
  return out;
}

/** Reads a .npy file from disk; a missing or unreadable file is an InputError naming it. */
export function readNpyFile(path: string): NpyArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  return readNpy(bytes, path);
}

/** Writes an array to a .npy file. */
export function writeNpyFile(path: string, array: NpyArray): void {
  writeFileSync(path, writeNpy(array, path));
}
