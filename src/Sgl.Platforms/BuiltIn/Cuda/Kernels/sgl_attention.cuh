// Attention of one query head of one token over a list of keys: PrefillAttention/DecodeAttention over the
// paged KV cache (causal, keys 0..p through the slot table) and the diffusion runtime's dense Attention.
//
// One block (128 threads) per (head, token). Keys are taken in tiles of 128 with an online softmax, so any
// context length works with fixed shared memory (about 7 KiB): per tile,
//   1. scores: one thread per key computes Scale * dot(q, k_j) against q staged in shared memory (the
//      key row is read with 16-byte loads when the layout allows);
//   2. the tile maximum updates the running maximum m; earlier sums are rescaled by e^(m_old - m_new);
//   3. values: the block is split into groups of threads, each group covering one head row with one
//      thread per 16-byte chunk (or per element), and the groups take the tile's keys in turn, so a warp
//      reads whole value rows (coalesced) and each thread accumulates p_j * v_j in registers.
// At the end the groups' partial outputs meet in shared memory and are divided by the softmax sum.
// A key whose slot is outside the cache is skipped (it contributes nothing); if no key contributes at
// all the output row is zeros.
#pragma once
#include "sgl_element_types.cuh"
#include "sgl_reductions.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

const int AttentionThreads = 128;
const int AttentionMaxHeadDim = 256;

struct alignas(16) AttentionShared {
    float q[AttentionMaxHeadDim];
    float p[AttentionThreads];         // the tile's probabilities e^(s_j - m)
    long long offset[AttentionThreads]; // element offset of each tile key's row, -1 when absent
    float partial[1024];               // groups x head_dim partial outputs (groups * head_dim <= 128 * 8)
    float scratch[AttentionThreads / 32];
};

// Keys of a sequence in the paged cache: key j lives in slot slots[j] (row width kv_heads * head_dim).
struct PagedKeys {
    const int* slots;
    int capacity;
    long long row_width;
    long long head_offset;
    __device__ __forceinline__ long long offset(int j) const
    {
        const int slot = slots[j];
        return slot >= 0 && slot < capacity ? slot * row_width + head_offset : -1;
    }
};

// Keys of the dense attention: key j is row j of Key (row width heads * head_dim).
struct DenseKeys {
    long long row_width;
    long long head_offset;
    __device__ __forceinline__ long long offset(int j) const { return j * row_width + head_offset; }
};

// In decode the grid is small (heads x tokens), so a block is mostly alone on its SM and its speed is the
// number of loads it has in flight: the score issues a key row's loads in batches of ScoreBatch before
// using any, and the value pass loads ValueBatch keys' chunks before accumulating them.
const int ScoreBatch = 16;
const int ValueBatch = 8;

template <class E, bool Vectorized>
__device__ __forceinline__ float attention_score(const AttentionShared& sh, const typename E::Storage* key, int head_dim)
{
    float s = 0.0f;
    if constexpr (Vectorized) {
        const Vec16* row = reinterpret_cast<const Vec16*>(key);
        const int vectors = head_dim / E::PerVec16;
        for (int c0 = 0; c0 < vectors; c0 += ScoreBatch) {
            Vec16 kv[ScoreBatch];
#pragma unroll
            for (int u = 0; u < ScoreBatch; ++u) {
                if (c0 + u < vectors) {
                    kv[u] = load_vec16_readonly(row + c0 + u);
                }
            }
#pragma unroll
            for (int u = 0; u < ScoreBatch; ++u) {
                if (c0 + u < vectors) {
                    float kf[E::PerVec16];
                    E::unpack(kv[u], kf);
#pragma unroll
                    for (int e = 0; e < E::PerVec16; ++e) {
                        s = fma_rn(sh.q[(c0 + u) * E::PerVec16 + e], kf[e], s);
                    }
                }
            }
        }
    } else {
        for (int d0 = 0; d0 < head_dim; d0 += ScoreBatch) {
            float kf[ScoreBatch];
#pragma unroll
            for (int u = 0; u < ScoreBatch; ++u) {
                kf[u] = d0 + u < head_dim ? E::widen(key[d0 + u]) : 0.0f;
            }
#pragma unroll
            for (int u = 0; u < ScoreBatch; ++u) {
                if (d0 + u < head_dim) {
                    s = fma_rn(sh.q[d0 + u], kf[u], s);
                }
            }
        }
    }
    return s;
}

template <class E, bool Vectorized, class Keys>
__device__ __forceinline__ void attend(AttentionShared& sh, const typename E::Storage* q, const typename E::Storage* k_base, const typename E::Storage* v_base,
                                       const Keys& keys, int key_count, int head_dim, float scale, typename E::Storage* out)
{
    const int t = threadIdx.x;
    for (int d = t; d < head_dim; d += AttentionThreads) {
        sh.q[d] = E::widen(q[d]);
    }
    __syncthreads();

    // Value mapping: Width elements per chunk; groups of `chunks` threads each cover one head row.
    const int Width = Vectorized ? E::PerVec16 : 1;
    const int Accumulators = Vectorized ? E::PerVec16 : 2; // scalar rows longer than 128 take two elements per thread
    const int chunks = head_dim / Width;
    const int groups = chunks <= AttentionThreads ? AttentionThreads / chunks : 1;
    const int group = chunks <= AttentionThreads ? t / chunks : 0;
    const int chunk = chunks <= AttentionThreads ? t - group * chunks : t;
    const bool has_chunk = group < groups && chunk < chunks;
    const bool has_second = !Vectorized && chunk + AttentionThreads < chunks;
    float acc[Accumulators];
#pragma unroll
    for (int e = 0; e < Accumulators; ++e) {
        acc[e] = 0.0f;
    }

    const float none = negative_infinity();
    float m = none;
    float sum_part = 0.0f; // this thread's share of the softmax denominator, rescaled with m
    for (int tile = 0; tile < key_count; tile += AttentionThreads) {
        const int count = key_count - tile < AttentionThreads ? key_count - tile : AttentionThreads;
        float s = none;
        long long offset = -1;
        if (t < count) {
            offset = keys.offset(tile + t);
            if (offset >= 0) {
                s = scale * attention_score<E, Vectorized>(sh, k_base + offset, head_dim);
            }
        }
        sh.offset[t] = offset;
        const float m_new = max_f(m, block_max<AttentionThreads>(s, sh.scratch)); // its barrier publishes sh.offset
        if (m_new == none) {
            continue; // no key present so far (uniform across the block)
        }
        const float alpha = exp_approx(m - m_new); // e^-inf = 0 on the first present tile
        const float p = exp_approx(s - m_new);     // absent keys: e^-inf = 0
        sh.p[t] = p;
        sum_part = sum_part * alpha + p;
        m = m_new;
        __syncthreads();

#pragma unroll
        for (int e = 0; e < Accumulators; ++e) {
            acc[e] *= alpha;
        }
        if (has_chunk) {
            for (int j0 = group; j0 < count; j0 += groups * ValueBatch) {
                // An absent key (past the tile, or a slot outside the cache) loads nothing and adds 0 * 0.
                float pj[ValueBatch];
                float vf[ValueBatch][Accumulators];
#pragma unroll
                for (int u = 0; u < ValueBatch; ++u) {
                    const int j = j0 + u * groups;
                    const long long at = j < count ? sh.offset[j] : -1;
                    pj[u] = at >= 0 ? sh.p[j] : 0.0f;
#pragma unroll
                    for (int e = 0; e < Accumulators; ++e) {
                        vf[u][e] = 0.0f;
                    }
                    if (at >= 0) {
                        const typename E::Storage* v = v_base + at;
                        if constexpr (Vectorized) {
                            E::unpack(load_vec16_readonly(reinterpret_cast<const Vec16*>(v) + chunk), vf[u]);
                        } else {
                            vf[u][0] = E::widen(v[chunk]);
                            if (has_second) {
                                vf[u][1] = E::widen(v[chunk + AttentionThreads]);
                            }
                        }
                    }
                }
#pragma unroll
                for (int u = 0; u < ValueBatch; ++u) {
#pragma unroll
                    for (int e = 0; e < Accumulators; ++e) {
                        acc[e] = fma_rn(pj[u], vf[u][e], acc[e]);
                    }
                }
            }
        }
        __syncthreads(); // the next tile overwrites sh.p and sh.offset
    }

    const float total = block_sum<AttentionThreads>(sum_part, sh.scratch);
    if (has_chunk) {
        if constexpr (Vectorized) {
#pragma unroll
            for (int e = 0; e < Accumulators; ++e) {
                sh.partial[group * head_dim + chunk * Width + e] = acc[e];
            }
        } else {
            sh.partial[group * head_dim + chunk] = acc[0];
            if (has_second) {
                sh.partial[chunk + AttentionThreads] = acc[1];
            }
        }
    }
    __syncthreads();
    for (int d = t; d < head_dim; d += AttentionThreads) {
        float o = 0.0f;
        for (int g = 0; g < groups; ++g) {
            o += sh.partial[g * head_dim + d];
        }
        // total is 0 only when no key contributed; a NaN total must stay NaN.
        store_float<E>(out, d, total == 0.0f ? 0.0f : o / total);
    }
}

template <class E>
__device__ __forceinline__ bool attention_vectorizable(const typename E::Storage* k, const typename E::Storage* v, int head_dim)
{
    // Every key/value row starts at a multiple of head_dim elements, so this makes every row 16-byte aligned.
    return (head_dim * static_cast<int>(sizeof(typename E::Storage))) % 16 == 0 && aligned16(k) && aligned16(v);
}

template <class E>
__device__ __forceinline__ void paged_attention(const typename E::Storage* qkv, const typename E::Storage* k_cache, const typename E::Storage* v_cache,
                                                const int* slot_table, const int* positions, typename E::Storage* out, int rows, int q_heads, int kv_heads,
                                                int head_dim, int table_rows, int table_cols, int capacity, float scale)
{
    __shared__ AttentionShared sh;
    const int h = blockIdx.x;
    const int r = blockIdx.y;
    if (r >= rows || h >= q_heads || kv_heads <= 0 || q_heads % kv_heads != 0 || head_dim <= 0 || head_dim > AttentionMaxHeadDim ||
        table_rows <= 0 || table_cols <= 0) {
        return;
    }
    typename E::Storage* out_row = out + static_cast<long long>(r) * q_heads * head_dim + static_cast<long long>(h) * head_dim;
    const int seq = table_rows == 1 ? 0 : r;
    const int p = positions[r];
    if (seq >= table_rows || p < 0 || p >= table_cols) {
        for (int d = threadIdx.x; d < head_dim; d += AttentionThreads) {
            out_row[d] = E::round(0.0f);
        }
        return;
    }
    const int g = h / (q_heads / kv_heads);
    const typename E::Storage* q = qkv + static_cast<long long>(r) * (q_heads + 2 * kv_heads) * head_dim + static_cast<long long>(h) * head_dim;
    const PagedKeys keys = {slot_table + static_cast<long long>(seq) * table_cols, capacity, static_cast<long long>(kv_heads) * head_dim,
                            static_cast<long long>(g) * head_dim};
    if (attention_vectorizable<E>(k_cache, v_cache, head_dim)) {
        attend<E, true>(sh, q, k_cache, v_cache, keys, p + 1, head_dim, scale, out_row);
    } else {
        attend<E, false>(sh, q, k_cache, v_cache, keys, p + 1, head_dim, scale, out_row);
    }
}

template <class E>
__device__ __forceinline__ void dense_attention(const typename E::Storage* q, const typename E::Storage* k, const typename E::Storage* v, typename E::Storage* out,
                                                int tokens, int heads, int head_dim, float scale)
{
    __shared__ AttentionShared sh;
    const int h = blockIdx.x;
    const int r = blockIdx.y;
    if (r >= tokens || h >= heads || head_dim <= 0 || head_dim > AttentionMaxHeadDim) {
        return;
    }
    const long long row_width = static_cast<long long>(heads) * head_dim;
    const long long at = r * row_width + static_cast<long long>(h) * head_dim;
    const DenseKeys keys = {row_width, static_cast<long long>(h) * head_dim};
    if (attention_vectorizable<E>(k, v, head_dim)) {
        attend<E, true>(sh, q + at, k, v, keys, tokens, head_dim, scale, out + at);
    } else {
        attend<E, false>(sh, q + at, k, v, keys, tokens, head_dim, scale, out + at);
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_paged_attention_f32(const float* qkv, const float* k_cache, const float* v_cache, const int* slot_table,
                                                                         const int* positions, float* out, int rows, int q_heads, int kv_heads, int head_dim,
                                                                         int table_rows, int table_cols, int capacity, float scale)
{
    sgl::paged_attention<sgl::F32>(qkv, k_cache, v_cache, slot_table, positions, out, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity, scale);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_paged_attention_f16(const unsigned short* qkv, const unsigned short* k_cache, const unsigned short* v_cache,
                                                                         const int* slot_table, const int* positions, unsigned short* out, int rows, int q_heads,
                                                                         int kv_heads, int head_dim, int table_rows, int table_cols, int capacity, float scale)
{
    sgl::paged_attention<sgl::F16>(qkv, k_cache, v_cache, slot_table, positions, out, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity, scale);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_paged_attention_bf16(const unsigned short* qkv, const unsigned short* k_cache, const unsigned short* v_cache,
                                                                          const int* slot_table, const int* positions, unsigned short* out, int rows, int q_heads,
                                                                          int kv_heads, int head_dim, int table_rows, int table_cols, int capacity, float scale)
{
    sgl::paged_attention<sgl::BF16>(qkv, k_cache, v_cache, slot_table, positions, out, rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity, scale);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_attention_f32(const float* q, const float* k, const float* v, float* out, int tokens, int heads, int head_dim, float scale)
{
    sgl::dense_attention<sgl::F32>(q, k, v, out, tokens, heads, head_dim, scale);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_attention_f16(const unsigned short* q, const unsigned short* k, const unsigned short* v, unsigned short* out, int tokens,
                                                                   int heads, int head_dim, float scale)
{
    sgl::dense_attention<sgl::F16>(q, k, v, out, tokens, heads, head_dim, scale);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(128) sgl_attention_bf16(const unsigned short* q, const unsigned short* k, const unsigned short* v, unsigned short* out, int tokens,
                                                                    int heads, int head_dim, float scale)
{
    sgl::dense_attention<sgl::BF16>(q, k, v, out, tokens, heads, head_dim, scale);
}
