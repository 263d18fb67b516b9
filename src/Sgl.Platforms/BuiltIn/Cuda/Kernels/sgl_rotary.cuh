// Rotary embedding in place, interleaved pairs (2i, 2i+1) of each of the first head_count heads, with
// the precomputed float32 table cos_sin [max_positions, head_dim]: cos in the first half, sin in the
// second. One block (128 threads) per row, one thread per pair.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void rotary(typename E::Storage* x, const int* positions, const float* cos_sin, int rows, int row_stride, int head_dim,
                                       int head_count, int max_positions)
{
    const int r = blockIdx.x;
    if (r >= rows || head_dim <= 0 || (head_dim & 1) != 0 || head_count < 0 ||
        static_cast<long long>(head_count) * head_dim > row_stride) {
        return;
    }
    const int p = positions[r];
    if (p < 0 || p >= max_positions) {
        return; // the spec leaves such rows unchanged
    }
    const int half = head_dim / 2;
    const int pairs = head_count * half;
    const float* cos_row = cos_sin + static_cast<long long>(p) * head_dim;
    typename E::Storage* row = x + static_cast<long long>(r) * row_stride;
    // Loads first, CopyBatch pairs at a time, then the stores: see embedding_gather.
    for (int base = threadIdx.x; base < pairs; base += 128 * CopyBatch) {
        float a[CopyBatch], b[CopyBatch], c[CopyBatch], s[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int t = base + u * 128;
            const int h = t / half;
            const int i = t - h * half;
            const int at = h * head_dim + 2 * i;
            const bool inside = t < pairs;
            a[u] = inside ? E::widen(row[at]) : 0.0f;
            b[u] = inside ? E::widen(row[at + 1]) : 0.0f;
            c[u] = inside ? cos_row[i] : 0.0f;
            s[u] = inside ? cos_row[half + i] : 0.0f;
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int t = base + u * 128;
            if (t < pairs) {
                const int h = t / half;
                const int at = h * head_dim + 2 * (t - h * half);
                row[at] = E::round(a[u] * c[u] - b[u] * s[u]);
                row[at + 1] = E::round(a[u] * s[u] + b[u] * c[u]);
            }
        }
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_rotary_f32(float* x, const int* positions, const float* cos_sin, int rows, int row_stride, int head_dim, int head_count, int max_positions)
{
    sgl::rotary<sgl::F32>(x, positions, cos_sin, rows, row_stride, head_dim, head_count, max_positions);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_rotary_f16(unsigned short* x, const int* positions, const float* cos_sin, int rows, int row_stride, int head_dim, int head_count, int max_positions)
{
    sgl::rotary<sgl::F16>(x, positions, cos_sin, rows, row_stride, head_dim, head_count, max_positions);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_rotary_bf16(unsigned short* x, const int* positions, const float* cos_sin, int rows, int row_stride, int head_dim, int head_count, int max_positions)
{
    sgl::rotary<sgl::BF16>(x, positions, cos_sin, rows, row_stride, head_dim, head_count, max_positions);
}
