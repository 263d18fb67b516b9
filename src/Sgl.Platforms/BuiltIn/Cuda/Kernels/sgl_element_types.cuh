// The three element types of the ABI (suffixes f32, f16, bf16) as tag types: how one element is stored,
// widened to float32 for arithmetic, and rounded back; and how a 16-byte vector of elements unpacks.
#pragma once
#include "sgl_numerics.cuh"

namespace sgl {
namespace { // internal linkage: see sgl_kernels.cu

// Elements a thread of a row-wise kernel (gather, norm, rotary, KV write, argmax) loads before it stores any:
// a loop that stores before its next load waits out one memory latency per element, as the compiler may not
// move a load above a store that could alias it.
const int CopyBatch = 8;

// 16 bytes loaded in one instruction; the matmul and attention inner loops move data in these.
struct Vec16 {
    unsigned int w0, w1, w2, w3;
};

// ld.global.nc: through the read-only (texture) path. Only for data no thread writes during the kernel.
// volatile: a plain asm counts as a pure computation, and the compiler could then hoist it out of the
// bounds check that guards it (an absent key's row, a loop's last step) and read outside the buffer.
__device__ __forceinline__ Vec16 load_vec16_readonly(const void* address)
{
    Vec16 v;
    asm volatile("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.w0), "=r"(v.w1), "=r"(v.w2), "=r"(v.w3)
        : "l"(address));
    return v;
}

__device__ __forceinline__ bool aligned16(const void* address) { return (reinterpret_cast<unsigned long long>(address) & 15u) == 0; }

struct F32 {
    typedef float Storage;
    static const int PerVec16 = 4;
    static __device__ __forceinline__ float widen(float v) { return v; }
    static __device__ __forceinline__ float round(float v) { return v; }
    static __device__ __forceinline__ void unpack(const Vec16& v, float* out)
    {
        out[0] = SGL_UINT_AS_FLOAT(v.w0);
        out[1] = SGL_UINT_AS_FLOAT(v.w1);
        out[2] = SGL_UINT_AS_FLOAT(v.w2);
        out[3] = SGL_UINT_AS_FLOAT(v.w3);
    }
};

// IEEE binary16 bits in an unsigned short; the hardware converts both ways (cvt.rn rounds to nearest even).
struct F16 {
    typedef unsigned short Storage;
    static const int PerVec16 = 8;
    static __device__ __forceinline__ float widen(unsigned short h)
    {
        float f;
        asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
        return f;
    }
    static __device__ __forceinline__ unsigned short round(float f)
    {
        unsigned short h;
        asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
        return h;
    }
    // Little-endian: the element at the lower address is the low half of each 32-bit word.
    static __device__ __forceinline__ void unpack_word(unsigned int w, float* out)
    {
        out[0] = widen(static_cast<unsigned short>(w & 0xffffu));
        out[1] = widen(static_cast<unsigned short>(w >> 16));
    }
    static __device__ __forceinline__ void unpack(const Vec16& v, float* out)
    {
        unpack_word(v.w0, out);
        unpack_word(v.w1, out + 2);
        unpack_word(v.w2, out + 4);
        unpack_word(v.w3, out + 6);
    }
};

// bfloat16 bits in an unsigned short: the upper half of a float32, so widening is a shift.
struct BF16 {
    typedef unsigned short Storage;
    static const int PerVec16 = 8;
    static __device__ __forceinline__ float widen(unsigned short b) { return SGL_UINT_AS_FLOAT(static_cast<unsigned int>(b) << 16); }
    // Round to nearest even on the upper 16 bits; a NaN becomes the quiet NaN 0x7FC0 with its sign
    // (adding the rounding bias to a NaN could carry it into an infinity).
    static __device__ __forceinline__ unsigned short round(float f)
    {
        unsigned int u = SGL_FLOAT_AS_UINT(f);
        if ((u & 0x7fffffffu) > 0x7f800000u) {
            return static_cast<unsigned short>(((u >> 16) & 0x8000u) | 0x7fc0u);
        }
        u += 0x7fffu + ((u >> 16) & 1u);
        return static_cast<unsigned short>(u >> 16);
    }
    static __device__ __forceinline__ void unpack_word(unsigned int w, float* out)
    {
        out[0] = SGL_UINT_AS_FLOAT(w << 16);
        out[1] = SGL_UINT_AS_FLOAT(w & 0xffff0000u);
    }
    static __device__ __forceinline__ void unpack(const Vec16& v, float* out)
    {
        unpack_word(v.w0, out);
        unpack_word(v.w1, out + 2);
        unpack_word(v.w2, out + 4);
        unpack_word(v.w3, out + 6);
    }
};

template <class E>
__device__ __forceinline__ float load_float(const typename E::Storage* p, long long i) { return E::widen(p[i]); }

template <class E>
__device__ __forceinline__ void store_float(typename E::Storage* p, long long i, float v) { p[i] = E::round(v); }

} // namespace
} // namespace sgl
