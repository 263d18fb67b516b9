// RmsNorm, optionally fused with the residual add: one block (256 threads) per row. Each thread reads
// back only the elements it wrote itself, so Output may alias Input and no barrier guards the residual.
#pragma once
#include "sgl_element_types.cuh"
#include "sgl_reductions.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void rms_norm(const typename E::Storage* input, const typename E::Storage* weight, typename E::Storage* output,
                                         typename E::Storage* residual, int rows, int hidden, float eps)
{
    __shared__ float scratch[8];
    const int r = blockIdx.x;
    if (r >= rows || hidden <= 0) {
        return;
    }
    const long long row = static_cast<long long>(r) * hidden;
    // Each loop issues CopyBatch loads before its stores (see embedding_gather), so a row costs a few
    // memory latencies rather than one per element.
    float squares = 0.0f;
    for (int base = threadIdx.x; base < hidden; base += 256 * CopyBatch) {
        float x[CopyBatch], added[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 256;
            x[u] = i < hidden ? load_float<E>(input, row + i) : 0.0f;
            added[u] = i < hidden && residual != nullptr ? load_float<E>(residual, row + i) : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 256;
            if (i < hidden) {
                if (residual != nullptr) {
                    // The sum is rounded to the element type and the norm uses the stored value, as the spec says.
                    const typename E::Storage stored = E::round(added[u] + x[u]);
                    residual[row + i] = stored;
                    x[u] = E::widen(stored);
                }
                squares = fma_rn(x[u], x[u], squares);
            }
        }
    }
    const float total = block_sum<256>(squares, scratch);
    const float inverse = 1.0f / sqrt_rn(total / static_cast<float>(hidden) + eps);
    const typename E::Storage* normalized = residual != nullptr ? residual : input;
    for (int base = threadIdx.x; base < hidden; base += 256 * CopyBatch) {
        float x[CopyBatch], w[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 256;
            x[u] = i < hidden ? load_float<E>(normalized, row + i) : 0.0f;
            w[u] = i < hidden ? load_float<E>(weight, i) : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 256;
            if (i < hidden) {
                store_float<E>(output, row + i, x[u] * inverse * w[u]);
            }
        }
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_rms_norm_f32(const float* input, const float* weight, float* output, float* residual, int rows, int hidden, float eps)
{
    sgl::rms_norm<sgl::F32>(input, weight, output, residual, rows, hidden, eps);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_rms_norm_f16(const unsigned short* input, const unsigned short* weight, unsigned short* output, unsigned short* residual, int rows, int hidden, float eps)
{
    sgl::rms_norm<sgl::F16>(input, weight, output, residual, rows, hidden, eps);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_rms_norm_bf16(const unsigned short* input, const unsigned short* weight, unsigned short* output, unsigned short* residual, int rows, int hidden, float eps)
{
    sgl::rms_norm<sgl::BF16>(input, weight, output, residual, rows, hidden, eps);
}
