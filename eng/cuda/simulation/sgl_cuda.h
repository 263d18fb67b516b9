// Stands in for the kernels' sgl_cuda.h when they are compiled for the host simulation (simt.h).
#pragma once
#include <cmath>
#include "simt.h"
#define __global__
#define __device__
#define __shared__ static
#define __forceinline__ inline
#define SGL_LAUNCH_BOUNDS(threads)
#define __syncthreads() simt_syncthreads()
#define SGL_SHFL_XOR_F32(value, mask) simt_shfl_xor_f32((value), (mask))
#define SGL_SHFL_XOR_I32(value, mask) simt_shfl_xor_i32((value), (mask))
#define SGL_FLOAT_AS_UINT(value) simt_float_as_uint(value)
#define SGL_UINT_AS_FLOAT(value) simt_uint_as_float(value)
