// EmbeddingGather: one block per token row copies the table row of its id; an id outside [0, vocab)
// gives a row of zeros and the table is not read at all.
#pragma once
#include "sgl_element_types.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

template <class E>
__device__ __forceinline__ void embedding_gather(const typename E::Storage* table, const int* ids, typename E::Storage* out, int rows, int hidden, int vocab)
{
    const int r = blockIdx.x;
    if (r >= rows || hidden <= 0) {
        return;
    }
    const int id = ids[r];
    const bool known = id >= 0 && id < vocab;
    const typename E::Storage* source = table + static_cast<long long>(known ? id : 0) * hidden;
    typename E::Storage* destination = out + static_cast<long long>(r) * hidden;
    // Bits are copied as they are: a gather does no arithmetic, so nothing is rounded. A thread issues
    // CopyBatch loads before its first store: a store may alias a later load for all the compiler knows,
    // so a plain loop would wait out the memory latency once per element.
    for (int base = threadIdx.x; base < hidden; base += blockDim.x * CopyBatch) {
        typename E::Storage values[CopyBatch];
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * blockDim.x;
            values[u] = known && i < hidden ? source[i] : typename E::Storage(0);
        }
#pragma unroll
        for (int u = 0; u < CopyBatch; ++u) {
            const int i = base + u * blockDim.x;
            if (i < hidden) {
                destination[i] = values[u];
            }
        }
    }
}

} // namespace
} // namespace sgl

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_embedding_gather_f32(const float* table, const int* ids, float* out, int rows, int hidden, int vocab)
{
    sgl::embedding_gather<sgl::F32>(table, ids, out, rows, hidden, vocab);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_embedding_gather_f16(const unsigned short* table, const int* ids, unsigned short* out, int rows, int hidden, int vocab)
{
    sgl::embedding_gather<sgl::F16>(table, ids, out, rows, hidden, vocab);
}

extern "C" __global__ void SGL_LAUNCH_BOUNDS(256) sgl_embedding_gather_bf16(const unsigned short* table, const int* ids, unsigned short* out, int rows, int hidden, int vocab)
{
    sgl::embedding_gather<sgl::BF16>(table, ids, out, rows, hidden, vocab);
}
