/*
 * A stand-in for libcuda.so.1 so the CUDA device code can be tested on machines without a GPU.
 * Device memory is host memory from malloc; contexts are per thread as in the real driver, and memory
 * calls without a current context fail with CUDA_ERROR_INVALID_CONTEXT. Configured at call time by:
 *   CUDA_SHIM_INIT_RESULT   cuInit's return code (default 0)
 *   CUDA_SHIM_DEVICE_COUNT  devices (default 1)
 *   CUDA_SHIM_TOTAL_BYTES   total memory per device (default 1 GiB)
 * Free memory is the total minus what is allocated. cuShimLiveAllocations reports outstanding allocations.
 */
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef unsigned long long CUdeviceptr;

enum { CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_OUT_OF_MEMORY = 2, CUDA_ERROR_NOT_INITIALIZED = 3,
       CUDA_ERROR_NO_DEVICE = 100, CUDA_ERROR_INVALID_DEVICE = 101, CUDA_ERROR_INVALID_CONTEXT = 201 };

static int initialized;
static size_t allocated_bytes;
static int live_allocations;
static __thread CUcontext current;

static long env_long(const char *name, long fallback)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? strtol(value, NULL, 10) : fallback;
}

static size_t total_bytes(void) { return (size_t)env_long("CUDA_SHIM_TOTAL_BYTES", 1L << 30); }

/* Each allocation carries its size in front so cuMemFree can give the bytes back. */
static size_t *header_of(CUdeviceptr p) { return (size_t *)(size_t)p - 2; }

CUresult cuInit(unsigned int flags)
{
    CUresult result = (CUresult)env_long("CUDA_SHIM_INIT_RESULT", 0);
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialized = result == CUDA_SUCCESS;
    return result;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= env_long("CUDA_SHIM_DEVICE_COUNT", 1)) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (context == NULL) return CUDA_ERROR_INVALID_VALUE;
    *context = (CUcontext)(size_t)(0x1000 + device);
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext context)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    current = context;
    return CUDA_SUCCESS;
}

CUresult cuGetErrorString(CUresult error, const char **text)
{
    if (text == NULL) return CUDA_ERROR_INVALID_VALUE;
    switch (error) {
    case CUDA_SUCCESS: *text = "no error"; break;
    case CUDA_ERROR_INVALID_VALUE: *text = "invalid argument"; break;
    case CUDA_ERROR_OUT_OF_MEMORY: *text = "out of memory"; break;
    case CUDA_ERROR_NOT_INITIALIZED: *text = "initialization error"; break;
    case CUDA_ERROR_NO_DEVICE: *text = "no CUDA-capable device is detected"; break;
    case CUDA_ERROR_INVALID_DEVICE: *text = "invalid device ordinal"; break;
    case CUDA_ERROR_INVALID_CONTEXT: *text = "invalid device context"; break;
    default: *text = NULL; return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    *total = total_bytes();
    *free_bytes = *total - allocated_bytes;
    return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes)
{
    size_t *block;
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    if (pointer == NULL || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if (bytes > total_bytes() - allocated_bytes) return CUDA_ERROR_OUT_OF_MEMORY;
    block = malloc(bytes + 2 * sizeof(size_t));
    if (block == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
    block[0] = bytes;
    memset(block + 2, 0xCD, bytes);
    allocated_bytes += bytes;
    live_allocations++;
    *pointer = (CUdeviceptr)(size_t)(block + 2);
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer)
{
    size_t *block;
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    if (pointer == 0) return CUDA_ERROR_INVALID_VALUE;
    block = header_of(pointer);
    allocated_bytes -= block[0];
    live_allocations--;
    free(block);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source, size_t bytes)
{
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    memcpy((void *)(size_t)destination, source, bytes);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes)
{
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    memcpy(destination, (const void *)(size_t)source, bytes);
    return CUDA_SUCCESS;
}

int cuShimLiveAllocations(void) { return live_allocations; }
