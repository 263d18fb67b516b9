// A host simulation of the CUDA execution model, enough to run the sgl kernel sources on a CPU: every
// thread of a block is a fiber; __syncthreads and warp shuffles are rendezvous in a scheduler that runs
// the ready fibers in a fixed order (forward or reverse, so that a missing barrier shows up as a
// difference). Blocks run one after another; shared memory is the kernels' static arrays.
#pragma once
#include <cstring>
#include <functional>

struct SimDim3 {
    unsigned int x = 0, y = 0, z = 0;
};
extern SimDim3 threadIdx, blockIdx, blockDim, gridDim;
extern bool simt_reverse_order;

void simt_syncthreads();
float simt_shfl_xor_f32(float value, int mask);
int simt_shfl_xor_i32(int value, int mask);
// Runs body as every thread of a (grid_x, grid_y) grid of blocks of `threads` threads; aborts with a
// message on a barrier that not every live thread reaches, or a shuffle with exited lanes.
void simt_launch(unsigned int grid_x, unsigned int grid_y, unsigned int threads, const std::function<void()>& body);

inline unsigned int simt_float_as_uint(float f) { unsigned int u; std::memcpy(&u, &f, 4); return u; }
inline float simt_uint_as_float(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
// GCC's _Float16 converts with IEEE round to nearest even, as cvt.rn.f16.f32 does.
inline float simt_half_to_float(unsigned short h) { _Float16 x; std::memcpy(&x, &h, 2); return (float)x; }
inline unsigned short simt_float_to_half(float f) { _Float16 x = (_Float16)f; unsigned short h; std::memcpy(&h, &x, 2); return h; }
