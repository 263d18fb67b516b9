// Warp and block reductions with shuffles: a warp reduces in registers, warps meet in shared memory.
#pragma once
#include "sgl_numerics.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

// Butterfly: every lane ends with the result, so no broadcast is needed afterwards.
__device__ __forceinline__ float warp_sum(float v)
{
    for (int mask = 16; mask > 0; mask >>= 1) {
        v += SGL_SHFL_XOR_F32(v, mask);
    }
    return v;
}

__device__ __forceinline__ float warp_max(float v)
{
    for (int mask = 16; mask > 0; mask >>= 1) {
        v = max_f(v, SGL_SHFL_XOR_F32(v, mask));
    }
    return v;
}

// Block-wide sum or max for a block of Threads (a multiple of 32). Every thread gets the result.
// scratch holds one float per warp; the trailing barrier lets the caller reuse it at once.
template <int Threads, bool Max>
__device__ __forceinline__ float block_reduce(float v, float* scratch)
{
    const int warps = Threads / 32;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    v = Max ? warp_max(v) : warp_sum(v);
    if (lane == 0) {
        scratch[warp] = v;
    }
    __syncthreads();
    float r = scratch[0];
    for (int i = 1; i < warps; ++i) {
        r = Max ? max_f(r, scratch[i]) : r + scratch[i];
    }
    __syncthreads();
    return r;
}

template <int Threads>
__device__ __forceinline__ float block_sum(float v, float* scratch) { return block_reduce<Threads, false>(v, scratch); }

template <int Threads>
__device__ __forceinline__ float block_max(float v, float* scratch) { return block_reduce<Threads, true>(v, scratch); }

} // namespace
} // namespace sgl
