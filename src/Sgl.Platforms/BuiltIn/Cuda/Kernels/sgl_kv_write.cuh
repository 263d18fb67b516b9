// KvWrite: the k and v parts of each Qkv row go to the cache slot its position maps to. One block (128
// threads) per row; a position outside the slot table or a slot outside the cache skips the row.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void kv_write(const typename E::Storage* qkv, typename E::Storage* k_cache, typename E::Storage* v_cache,
                                         const int* slot_table, const int* positions, int rows, int q_heads, int kv_heads, int head_dim,
                                         int table_rows, int table_cols, int capacity)
{
    const int r = blockIdx.x;
    if (r >= rows || q_heads < 0 || kv_heads <= 0 || head_dim <= 0 || table_rows <= 0 || table_cols <= 0) {
        return;
    }
    const int seq = table_rows == 1 ? 0 : r;
    const int p = positions[r];
    if (seq >= table_rows || p < 0 || p >= table_cols) {
        return;
    }
    const int slot = slot_table[static_cast<long long>(seq) * table_cols + p];
    if (slot < 0 || slot >= capacity) {
        return;
    }
    const int width = kv_heads * head_dim;
    const typename E::Storage* k = qkv + static_cast<long long>(r) * (q_heads + 2 * kv_heads) * head_dim + static_cast<long long>(q_heads) * head_dim;
    const long long at = static_cast<long long>(slot) * width;
    // Loads first, CopyBatch at a time, then the stores: see embedding_gather.
    for (int base = threadIdx.x; base < width; base += 128 * CopyBatch) {
        typename E::Storage keys[CopyBatch];
        typename E::Storage values[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 128;
            keys[u] = i < width ? k[i] : typename E::Storage(0);
            values[u] = i < width ? k[width + i] : typename E::Storage(0);
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * 128;
            if (i < width) {
                k_cache[at + i] = keys[u];
                v_cache[at + i] = values[u];
            }
        }
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_kv_write_f32(const float* qkv, float* k_cache, float* v_cache, const int* slot_table, const int* positions, int rows,
                                                                  int q_heads, int kv_heads, int head_dim, int table_rows, int table_cols, int capacity)
{
    sgl::kv_write<sgl::F32>(qkv, k_cache, v_cache, slot_table, positions, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_kv_write_f16(const unsigned short* qkv, unsigned short* k_cache, unsigned short* v_cache, const int* slot_table,
                                                                  const int* positions, int rows, int q_heads, int kv_heads, int head_dim, int table_rows, int table_cols, int capacity)
{
    sgl::kv_write<sgl::F16>(qkv, k_cache, v_cache, slot_table, positions, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_kv_write_bf16(const unsigned short* qkv, unsigned short* k_cache, unsigned short* v_cache, const int* slot_table,
                                                                   const int* positions, int rows, int q_heads, int kv_heads, int head_dim, int table_rows, int table_cols, int capacity)
{
    sgl::kv_write<sgl::BF16>(qkv, k_cache, v_cache, slot_table, positions, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity);
}
