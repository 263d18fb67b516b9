// FillUniform: synthetic weights generated where they live, bit-exact with the spec's SplitMix64-based
// formula so every platform (and the CPU reference) produces the same model from the same seed.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void fill_uniform(typename E::Storage* out, long long count, unsigned long long seed, float low, float high)
{
    const float range = high - low; // rounded to float32 before the fused multiply-add, as specified
    const long long stride = static_cast<long long>(gridDim.x) * 256;
    for (long long i = static_cast<long long>(blockIdx.x) * 256 + threadIdx.x; i < count; i += stride) {
        unsigned long long z = seed + (static_cast<unsigned long long>(i) + 1ull) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z = z ^ (z >> 31);
        const float u = static_cast<float>(static_cast<unsigned int>(z >> 40)) * 5.9604644775390625e-8f; // 2^-24; exact
        store_float<E>(out, i, fma_rn(u, range, low));
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_fill_uniform_f32(float* out, long long count, unsigned long long seed, float low, float high)
{
    sgl::fill_uniform<sgl::F32>(out, count, seed, low, high);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_fill_uniform_f16(unsigned short* out, long long count, unsigned long long seed, float low, float high)
{
    sgl::fill_uniform<sgl::F16>(out, count, seed, low, high);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_fill_uniform_bf16(unsigned short* out, long long count, unsigned long long seed, float low, float high)
{
    sgl::fill_uniform<sgl::BF16>(out, count, seed, low, high);
}
