import type { RequantScale } from '../spec/spec.js';

/**
 * The C helpers a model's source defines once: rounding half to even without libm (the device build
 * is freestanding), and, for trace mode where no accelerator computes, the plain integer reference
 * of a layer in the workload's layouts (src/reference/: int32 sums that wrap, bias, ReLU, the
 * target's requantization, int8 saturation), so the host run produces the model's real outputs.
 */

const rounding = `/* Round half to even, as the host kernels do (no libm: the device build is freestanding). */
static inline float gf_round_half_even(float x) {
  const float big = 8388608.0f; /* 2^23: floats at least this large are integers */
  if (!(x < big && x > -big)) return x;
  return x >= 0.0f ? (x + big) - big : -((-x + big) - big);
}
`;

const host = `/* A fused integer op's requantization on the host: fp32 scale, round half to even, int8. */
static inline int8_t gf_requantize_host(int32_t acc, float scale, int relu) {
  const int32_t v = relu && acc < 0 ? 0 : acc;
  const float f = (float)v * scale;
  int64_t i;
  if (f != f || f >= 2147483647.0f) i = INT32_MAX;
  else if (f <= -2147483648.0f) i = INT32_MIN;
  else i = (int64_t)gf_round_half_even(f);
  return (int8_t)(i < -128 ? -128 : i > 127 ? 127 : i);
}

static inline double gf_clamp01(double x) { return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x; }
`;

const requantFloat = `/* acc (after ReLU) x scale in fp32, round half to even, saturate to int8. */
static inline int8_t gf_requantize(int32_t acc, float scale, int shift, int relu) {
  (void)shift;
  return gf_requantize_host(acc, scale, relu);
}
`;

const requantShift = `/* acc (after ReLU) >> shift, rounding half up, saturated to int8. */
static inline int8_t gf_requantize(int32_t acc, float scale, int shift, int relu) {
  (void)scale;
  const int64_t v = relu && acc < 0 ? 0 : acc;
  const int64_t r = shift == 0 ? v : gf_floordiv(v + (INT64_C(1) << (shift - 1)), INT64_C(1) << shift);
  return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}
`;

const reference = `/* A conv layer in the workload's layouts: input NHWC, weights [R][S][C/G][K], output NHWC. */
static inline void gf_reference_conv(const int8_t *in, const int8_t *weight,
                                     const int32_t *bias, int8_t *out, const int64_t *d,
                                     float scale, int shift, int relu) {
  const int64_t N = d[0], H = d[1], W = d[2], C = d[3], K = d[4], R = d[5], S = d[6];
  const int64_t sH = d[7], sW = d[8], pT = d[9], pL = d[10], dH = d[11], dW = d[12];
  const int64_t G = d[13], P = d[14], Q = d[15], Z = d[16]; /* Z: the value padding reads */
  const int64_t Cg = C / G, Kg = K / G;
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t p = 0; p < P; ++p) {
      for (int64_t q = 0; q < Q; ++q) {
        for (int64_t k = 0; k < K; ++k) {
          const int64_t g = k / Kg;
          uint32_t acc = bias == NULL ? 0u : (uint32_t)bias[k];
          for (int64_t r = 0; r < R; ++r) {
            const int64_t h = p * sH + r * dH - pT;
            for (int64_t s = 0; s < S; ++s) {
              const int64_t x = q * sW + s * dW - pL;
              const int8_t *wrow = weight + (r * S + s) * Cg * K + k;
              if (h < 0 || h >= H || x < 0 || x >= W) {
                for (int64_t c = 0; c < Cg; ++c) acc += (uint32_t)((int32_t)Z * wrow[c * K]);
                continue;
              }
              const int8_t *row = in + ((n * H + h) * W + x) * C + g * Cg;
              for (int64_t c = 0; c < Cg; ++c) acc += (uint32_t)((int32_t)row[c] * wrow[c * K]);
            }
          }
          out[((n * P + p) * Q + q) * K + k] = gf_requantize((int32_t)acc, scale, shift, relu);
        }
      }
    }
  }
}

/* A GEMM layer: a [M][K] x b [K][N] + bias [N], output [M][N]. */
static inline void gf_reference_gemm(const int8_t *a, const int8_t *b, const int32_t *bias,
                                     int8_t *out, int64_t M, int64_t N, int64_t K, float scale,
                                     int shift, int relu) {
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      uint32_t acc = bias == NULL ? 0u : (uint32_t)bias[j];
      for (int64_t k = 0; k < K; ++k) acc += (uint32_t)((int32_t)a[i * K + k] * b[k * N + j]);
      out[i * N + j] = gf_requantize((int32_t)acc, scale, shift, relu);
    }
  }
}
`;

/** The helpers for a target requantizing as `mode`. */
export function modelHelpers(mode: RequantScale): string {
  return [
    rounding,
    host,
    '#if defined(GF_TRACE_MODE)',
    mode === 'float32' ? requantFloat : requantShift,
    reference,
    '#endif',
    '',
  ].join('\n');
}
