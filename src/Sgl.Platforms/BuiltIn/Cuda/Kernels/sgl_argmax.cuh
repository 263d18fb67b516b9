// Argmax of each row: the lowest index of the maximum, where a NaN counts as larger than every number
// (so the first NaN wins). One block (1024 threads) per row; each thread scans a strided slice, keeping
// the first best it sees, then (value, index) pairs meet by shuffles within warps and through shared
// memory across warps. Comparing indices on ties makes the result independent of the reduction order.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

const int ArgmaxThreads = 1024;

// True when (a, ia) beats (b, ib).
__device__ __forceinline__ bool argmax_better(float a, int ia, float b, int ib)
{
    const bool a_nan = is_nan(a);
    const bool b_nan = is_nan(b);
    if (a_nan != b_nan) {
        return a_nan;
    }
    if (!a_nan && a != b) {
        return a > b;
    }
    return ia < ib;
}

template <class E>
__device__ __forceinline__ void argmax(const typename E::Storage* logits, int* out, int rows, int vocab)
{
    __shared__ float best_values[ArgmaxThreads / 32];
    __shared__ int best_indices[ArgmaxThreads / 32];
    const int r = blockIdx.x;
    if (r >= rows || vocab <= 0) {
        return;
    }
    const typename E::Storage* row = logits + static_cast<long long>(r) * vocab;
    // The sentinel (-inf, INT_MAX) loses to every element, including a -inf at any real index.
    float best = negative_infinity();
    int best_index = 0x7fffffff;
    // CopyBatch loads in flight, then compared in index order, which keeps "the first best".
    for (int base = threadIdx.x; base < vocab; base += ArgmaxThreads * CopyBatch) {
        float values[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * ArgmaxThreads;
            values[u] = i < vocab ? E::widen(row[i]) : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * ArgmaxThreads;
            if (i < vocab && argmax_better(values[u], i, best, best_index)) {
                best = values[u];
                best_index = i;
            }
        }
    }
    for (int mask = 16; mask > 0; mask >>= 1) {
        const float other = SGL_SHFL_XOR_F32(best, mask);
        const int other_index = SGL_SHFL_XOR_I32(best_index, mask);
        if (argmax_better(other, other_index, best, best_index)) {
            best = other;
            best_index = other_index;
        }
    }
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    if (lane == 0) {
        best_values[warp] = best;
        best_indices[warp] = best_index;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < ArgmaxThreads / 32; ++w) {
            if (argmax_better(best_values[w], best_indices[w], best, best_index)) {
                best = best_values[w];
                best_index = best_indices[w];
            }
        }
        out[r] = best_index;
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(1024) sgl_argmax_f32(const float* logits, int* out, int rows, int vocab)
{
    sgl::argmax<sgl::F32>(logits, out, rows, vocab);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(1024) sgl_argmax_f16(const unsigned short* logits, int* out, int rows, int vocab)
{
    sgl::argmax<sgl::F16>(logits, out, rows, vocab);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(1024) sgl_argmax_bf16(const unsigned short* logits, int* out, int rows, int vocab)
{
    sgl::argmax<sgl::BF16>(logits, out, rows, vocab);
}
