// SiluMul: Output[r, i] = silu(GateUp[r, i]) * GateUp[r, F + i], one thread per output element.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void silu_mul(const typename E::Storage* gate_up, typename E::Storage* out, int rows, int f)
{
    const long long index = static_cast<long long>(blockIdx.x) * 256 + threadIdx.x;
    if (f <= 0 || index >= static_cast<long long>(rows) * f) {
        return;
    }
    const long long r = index / f;
    const long long i = index - r * f;
    const long long gate_at = r * 2 * f + i;
    const float g = load_float<E>(gate_up, gate_at);
    const float u = load_float<E>(gate_up, gate_at + f);
    // g / (1 + e^-g): for g -> -inf e^-g is +inf and the quotient is -0, never NaN.
    store_float<E>(out, index, g / (1.0f + exp_approx(-g)) * u);
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_silu_mul_f32(const float* gate_up, float* out, int rows, int f)
{
    sgl::silu_mul<sgl::F32>(gate_up, out, rows, f);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_silu_mul_f16(const unsigned short* gate_up, unsigned short* out, int rows, int f)
{
    sgl::silu_mul<sgl::F16>(gate_up, out, rows, f);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_silu_mul_bf16(const unsigned short* gate_up, unsigned short* out, int rows, int f)
{
    sgl::silu_mul<sgl::BF16>(gate_up, out, rows, f);
}
