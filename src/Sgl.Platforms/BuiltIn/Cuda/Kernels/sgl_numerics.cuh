// Float32 arithmetic with the rounding the device-operations spec fixes. Written as inline PTX so nvcc
// and clang emit the same instructions (no libdevice, no fast-math flags to depend on).
#pragma once
#include "sgl_cuda.h"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

// One fused multiply-add, rounded once (FillUniform is specified bit-exactly with it).
__device__ __forceinline__ float fma_rn(float a, float b, float c)
{
    float d;
    asm("fma.rn.f32 %0, %1, %2, %3;" : "=f"(d) : "f"(a), "f"(b), "f"(c));
    return d;
}

// exp(x) as CUDA's __expf computes it: 2^(x log2 e) with the hardware approximation (2 ulp on the
// power of two); exp(-inf) = 0 and exp(+inf) = +inf, which the softmax and SiLU rely on.
__device__ __forceinline__ float exp_approx(float x)
{
    float y;
    asm("ex2.approx.f32 %0, %1;" : "=f"(y) : "f"(x * 1.4426950408889634f));
    return y;
}

// Correctly rounded square root (RmsNorm divides by it; the approximate rsqrt is 2 ulp off).
__device__ __forceinline__ float sqrt_rn(float x)
{
    float y;
    asm("sqrt.rn.f32 %0, %1;" : "=f"(y) : "f"(x));
    return y;
}

// max.f32 ignores a NaN operand (returns the other), like fmaxf.
__device__ __forceinline__ float max_f(float a, float b)
{
    float c;
    asm("max.f32 %0, %1, %2;" : "=f"(c) : "f"(a), "f"(b));
    return c;
}

__device__ __forceinline__ bool is_nan(float x) { return x != x; }

__device__ __forceinline__ float negative_infinity() { return SGL_UINT_AS_FLOAT(0xff800000u); }

} // namespace
} // namespace sgl
