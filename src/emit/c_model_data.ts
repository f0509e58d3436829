import { InternalError } from '../errors.js';
import type { DType, TensorData } from '../ir/graph.js';

/**
 * Tensor data as C: element types, exact literals (float32 values as the shortest decimal that reads
 * back as the same float), and array definitions wrapped to a readable width.
 */

const cTypes: Readonly<Record<DType, string>> = {
  float32: 'float',
  float64: 'double',
  int8: 'int8_t',
  uint8: 'uint8_t',
  int16: 'int16_t',
  uint16: 'uint16_t',
  int32: 'int32_t',
  int64: 'int64_t',
  bool: 'uint8_t',
};

export function cType(dtype: DType): string {
  return cTypes[dtype];
}

/** A float32 value as a C float literal that reads back exactly. */
export function cFloat(x: number): string {
  const f = Math.fround(x);
  if (Number.isNaN(f)) return '__builtin_nanf("")';
  if (!Number.isFinite(f)) return f > 0 ? '__builtin_inff()' : '(-__builtin_inff())';
  const text = String(f);
  return /[.e]/.test(text) ? `${text}f` : `${text}.0f`;
}

/** A double as a C double literal that reads back exactly. */
export function cDouble(x: number): string {
  if (Number.isNaN(x)) return '__builtin_nan("")';
  if (!Number.isFinite(x)) return x > 0 ? '__builtin_inf()' : '(-__builtin_inf())';
  const text = String(x);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** An integer of a C integer type as a literal (INT_MIN-like values as expressions). */
export function cInteger(x: number, dtype: DType): string {
  if (!Number.isInteger(x)) throw new InternalError(`C: ${x} is not an integer (${dtype})`);
  if (dtype === 'int64') {
    if (x === -(2 ** 63)) return '(-INT64_C(9223372036854775807) - 1)';
    return x < 0 ? `(-INT64_C(${-x}))` : `INT64_C(${x})`;
  }
  if (x === -2147483648) return '(-2147483647 - 1)';
  return String(x);
}

/** One element of `dtype` as a C literal. */
export function cLiteral(x: number, dtype: DType): string {
  if (dtype === 'float32') return cFloat(x);
  if (dtype === 'float64') return cDouble(x);
  return cInteger(x, dtype);
}

/** The elements as initializer lines, about `width` characters each. */
export function cInitializer(data: ArrayLike<number>, dtype: DType, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < data.length; i++) {
    const item = `${cLiteral(data[i], dtype)},`;
    if (line.length + item.length + 1 > width && line !== '') {
      lines.push(line);
      line = '';
    }
    line = line === '' ? `  ${item}` : `${line} ${item}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** `const type name[n] = {...};` (a zero-length array holds one zero, as C needs). */
export function cArrayDefinition(
  name: string,
  data: TensorData | ArrayLike<number>,
  dtype: DType,
  align = 0,
): string {
  const values = data as ArrayLike<number>;
  const n = Math.max(1, values.length);
  const body = values.length === 0 ? ['  0,'] : cInitializer(values, dtype);
  const aligned = align > 1 ? `_Alignas(${align}) ` : '';
  return [`${aligned}const ${cType(dtype)} ${name}[${n}] = {`, ...body, '};', ''].join('\n');
}
