// Compiler compatibility for the sgl CUDA kernels: the same sources build to PTX with clang (CUDA mode,
// without the CUDA toolkit: eng/cuda/build-ptx.sh) and with nvcc. Only what differs between the two lives
// here; everything the kernels do that both compilers accept (inline PTX, plain C++) is written once in
// the kernel files.
#pragma once

#if defined(__NVCC__)
// nvcc pre-includes cuda_runtime.h, which declares __global__, threadIdx, __syncthreads and the intrinsics.
#define SGL_LAUNCH_BOUNDS(threads) __launch_bounds__(threads)
#define SGL_SHFL_XOR_F32(value, mask) __shfl_xor_sync(0xffffffffu, (value), (mask))
#define SGL_SHFL_XOR_I32(value, mask) __shfl_xor_sync(0xffffffffu, (value), (mask))
#define SGL_FLOAT_AS_UINT(value) __float_as_uint(value)
#define SGL_UINT_AS_FLOAT(value) __uint_as_float(value)
#elif defined(__clang__) && defined(__CUDA__)
// clang -nocudainc: no CUDA headers, so declare the little that cuda_runtime.h would give.
#include <__clang_cuda_builtin_vars.h>
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __shared__ __attribute__((shared))
#define __forceinline__ __inline__ __attribute__((always_inline))
#define SGL_LAUNCH_BOUNDS(threads) __attribute__((launch_bounds(threads)))
#define SGL_SHFL_XOR_F32(value, mask) __nvvm_shfl_sync_bfly_f32(0xffffffffu, (value), (mask), 0x1f)
#define SGL_SHFL_XOR_I32(value, mask) __nvvm_shfl_sync_bfly_i32(0xffffffffu, (value), (mask), 0x1f)
#define SGL_FLOAT_AS_UINT(value) __builtin_bit_cast(unsigned int, (float)(value))
#define SGL_UINT_AS_FLOAT(value) __builtin_bit_cast(float, (unsigned int)(value))
#else
#error "The sgl kernels build with nvcc, or with clang in CUDA mode (see eng/cuda/build-ptx.sh)."
#endif
