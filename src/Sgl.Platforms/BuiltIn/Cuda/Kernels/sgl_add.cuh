// Add: Output = ScaleA * A + ScaleB * B, B either [rows, cols] or one row broadcast over all rows. One
// thread per element reads both inputs before it writes, so Output may alias A or B.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void add(const typename E::Storage* a, const typename E::Storage* b, typename E::Storage* out, int rows, int cols,
                                    int b_rows, float scale_a, float scale_b)
{
    const long long index = static_cast<long long>(blockIdx.x) * 256 + threadIdx.x;
    if (cols <= 0 || (b_rows != 1 && b_rows != rows) || index >= static_cast<long long>(rows) * cols) {
        return;
    }
    const long long b_index = b_rows == 1 ? index % cols : index;
    store_float<E>(out, index, scale_a * load_float<E>(a, index) + scale_b * load_float<E>(b, b_index));
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_add_f32(const float* a, const float* b, float* out, int rows, int cols, int b_rows, float scale_a, float scale_b)
{
    sgl::add<sgl::F32>(a, b, out, rows, cols, b_rows, scale_a, scale_b);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_add_f16(const unsigned short* a, const unsigned short* b, unsigned short* out, int rows, int cols, int b_rows, float scale_a, float scale_b)
{
    sgl::add<sgl::F16>(a, b, out, rows, cols, b_rows, scale_a, scale_b);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_add_bf16(const unsigned short* a, const unsigned short* b, unsigned short* out, int rows, int cols, int b_rows, float scale_a, float scale_b)
{
    sgl::add<sgl::BF16>(a, b, out, rows, cols, b_rows, scale_a, scale_b);
}
