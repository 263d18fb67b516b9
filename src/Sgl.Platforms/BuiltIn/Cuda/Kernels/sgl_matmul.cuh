// MatMul y = x W^T (W stored [n, k], row-major). Block b has 8 warps; warp w owns output column
// j = 8b + w for every row, so each weight row is streamed by exactly one warp, once per group of rows.
//
// Decode (rows == 1) is memory bound, so the aim is to keep HBM busy. Each lane loads 16 bytes of
// the weight row per instruction (a warp covers 512 contiguous bytes: fully coalesced), eight such loads
// are issued before any is used (Unroll) so every lane has 128 bytes in flight, and the loads go through
// the read-only path. x is read with the same 16-byte pattern; the 8 warps of a block read the same x,
// so after the first warp it mostly comes from L1 rather than competing with the weights for DRAM.
// Partial sums stay in registers and meet in one butterfly shuffle per output.
//
// Prefill (rows > 1) reuses each loaded weight vector for RowsPerPass rows before loading the next, so
// the weight row is read from memory once per 4 rows rather than once per row.
//
// The vector path needs k * sizeof(T) to be a multiple of 16 and x, W 16-byte aligned (then every row
// start is aligned too); anything else takes the scalar path, which is correct for any k and alignment.
#pragma once
#include "sgl_element_types.cuh"
#include "sgl_reductions.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

const int MatMulWarps = 8;
const int MatMulUnroll = 8;
const int MatMulRowsPerPass = 4;

// Each row's partial sums meet across the warp; lane 0 writes y[r0 + r, j].
template <class E, int Rows>
__device__ __forceinline__ void store_column(const float* acc, typename E::Storage* y, int r0, int n, int j, int lane)
{
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
        const float sum = warp_sum(acc[r]);
        if (lane == 0) {
            store_float<E>(y, static_cast<long long>(r0 + r) * n + j, sum);
        }
    }
}

// acc[r] += w . x_r over the elements of vector v (16 bytes of the weight row, already loaded).
template <class E, int Rows>
__device__ __forceinline__ void fma_vec16(const Vec16& w, const Vec16* const* xs, int v, float* acc)
{
    float wf[E::PerVec16];
    E::unpack(w, wf);
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
        float xf[E::PerVec16];
        E::unpack(load_vec16_readonly(xs[r] + v), xf);
#pragma unroll
        for (int e = 0; e < E::PerVec16; ++e) {
            acc[r] = fma_rn(wf[e], xf[e], acc[r]);
        }
    }
}

template <class E, int Rows>
__device__ __forceinline__ void matmul_rows_vec16(const typename E::Storage* x, const typename E::Storage* w_row, typename E::Storage* y, int r0, int n,
                                                  int k, int j, int lane)
{
    const int vectors = k / E::PerVec16;
    const Vec16* w = reinterpret_cast<const Vec16*>(w_row);
    const Vec16* xs[Rows];
    float acc[Rows];
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
        xs[r] = reinterpret_cast<const Vec16*>(x + static_cast<long long>(r0 + r) * k);
        acc[r] = 0.0f;
    }
    int v = lane;
    for (; v + (MatMulUnroll - 1) * 32 < vectors; v += MatMulUnroll * 32) {
        Vec16 wv[MatMulUnroll];
#pragma unroll
        for (int u = 0; u < MatMulUnroll; ++u) {
            wv[u] = load_vec16_readonly(w + v + u * 32);
        }
#pragma unroll
        for (int u = 0; u < MatMulUnroll; ++u) {
            fma_vec16<E, Rows>(wv[u], xs, v + u * 32, acc);
        }
    }
    for (; v < vectors; v += 32) {
        fma_vec16<E, Rows>(load_vec16_readonly(w + v), xs, v, acc);
    }
    store_column<E, Rows>(acc, y, r0, n, j, lane);
}

template <class E, int Rows>
__device__ __forceinline__ void matmul_rows_scalar(const typename E::Storage* x, const typename E::Storage* w_row, typename E::Storage* y, int r0, int n,
                                                   int k, int j, int lane)
{
    float acc[Rows];
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
        acc[r] = 0.0f;
    }
    int i = lane;
    for (; i + (MatMulUnroll - 1) * 32 < k; i += MatMulUnroll * 32) {
        float wf[MatMulUnroll];
#pragma unroll
        for (int u = 0; u < MatMulUnroll; ++u) {
            wf[u] = E::widen(w_row[i + u * 32]);
        }
#pragma unroll
        for (int r = 0; r < Rows; ++r) {
            const typename E::Storage* xr = x + static_cast<long long>(r0 + r) * k;
#pragma unroll
            for (int u = 0; u < MatMulUnroll; ++u) {
                acc[r] = fma_rn(wf[u], E::widen(xr[i + u * 32]), acc[r]);
            }
        }
    }
    for (; i < k; i += 32) {
        const float wf = E::widen(w_row[i]);
#pragma unroll
        for (int r = 0; r < Rows; ++r) {
            acc[r] = fma_rn(wf, E::widen(x[static_cast<long long>(r0 + r) * k + i]), acc[r]);
        }
    }
    store_column<E, Rows>(acc, y, r0, n, j, lane);
}

template <class E, bool Vectorized>
__device__ __forceinline__ void matmul_column(const typename E::Storage* x, const typename E::Storage* w_row, typename E::Storage* y, int rows, int n,
                                              int k, int j, int lane)
{
    int r0 = 0;
    for (; r0 + MatMulRowsPerPass <= rows; r0 += MatMulRowsPerPass) {
        if constexpr (Vectorized) {
            matmul_rows_vec16<E, MatMulRowsPerPass>(x, w_row, y, r0, n, k, j, lane);
        } else {
            matmul_rows_scalar<E, MatMulRowsPerPass>(x, w_row, y, r0, n, k, j, lane);
        }
    }
    for (; r0 < rows; ++r0) { // decode (rows == 1) comes straight here
        if constexpr (Vectorized) {
            matmul_rows_vec16<E, 1>(x, w_row, y, r0, n, k, j, lane);
        } else {
            matmul_rows_scalar<E, 1>(x, w_row, y, r0, n, k, j, lane);
        }
    }
}

template <class E>
__device__ __forceinline__ void matmul(const typename E::Storage* x, const typename E::Storage* w, typename E::Storage* y, int rows, int n, int k)
{
    const int lane = threadIdx.x & 31;
    const int j = blockIdx.x * MatMulWarps + (threadIdx.x >> 5);
    if (j >= n || rows <= 0 || k < 0) {
        return; // warps only: no barrier follows, so a warp past the last column may leave early
    }
    const typename E::Storage* w_row = w + static_cast<long long>(j) * k;
    const bool vectorized = (static_cast<long long>(k) * sizeof(typename E::Storage)) % 16 == 0 && aligned16(x) && aligned16(w);
    if (vectorized) {
        matmul_column<E, true>(x, w_row, y, rows, n, k, j, lane);
    } else {
        matmul_column<E, false>(x, w_row, y, rows, n, k, j, lane);
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_matmul_f32(const float* x, const float* w, float* y, int rows, int n, int k)
{
    sgl::matmul<sgl::F32>(x, w, y, rows, n, k);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_matmul_f16(const unsigned short* x, const unsigned short* w, unsigned short* y, int rows, int n, int k)
{
    sgl::matmul<sgl::F16>(x, w, y, rows, n, k);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_matmul_bf16(const unsigned short* x, const unsigned short* w, unsigned short* y, int rows, int n, int k)
{
    sgl::matmul<sgl::BF16>(x, w, y, rows, n, k);
}
