// The sgl device operations for NVIDIA GPUs: every entry point of the CUDA kernel ABI (docs/cuda_kernels.md),
// for f32, f16 and bf16. Built to PTX by eng/cuda/build-ptx.sh; the host loads the PTX
// with cuModuleLoadDataEx and launches each entry point with the grid and block the ABI table fixes.
//
// Common rules: arithmetic accumulates in float32 and rounds once to the output type; ids, positions and
// slots are checked before they index anything; a shape the spec forbids (for example an odd head_dim
// for rotary) makes the kernel write nothing rather than touch memory outside its buffers. Only static
// shared memory is used.
//
// Everything but the entry points has internal linkage (anonymous namespaces): this is the only translation
// unit, and static shared arrays declared in templates then belong to their kernel instead of becoming
// .weak module-scope symbols.
#include "sgl_add.cuh"
#include "sgl_argmax.cuh"
#include "sgl_attention.cuh"
#include "sgl_embedding_gather.cuh"
#include "sgl_fill_uniform.cuh"
#include "sgl_kv_write.cuh"
#include "sgl_matmul.cuh"
#include "sgl_rms_norm.cuh"
#include "sgl_rotary.cuh"
#include "sgl_silu_mul.cuh"
