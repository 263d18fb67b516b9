/*
 * A stand-in for libcuda.so.1 so the CUDA device code can be tested on machines without a GPU.
 *
 * Device memory is host memory (256-byte aligned, filled with 0xCD); contexts are per thread as in the
 * real driver, and calls that need a context fail with CUDA_ERROR_INVALID_CONTEXT without one. Entry
 * points have the real driver's C signatures and exported names (the _v2 names cuda.h maps to).
 *
 * Kernels: cuModuleLoadDataEx takes a NUL-terminated PTX image; cuModuleGetFunction resolves an entry
 * point of the sgl kernel ABI that the image declares (".entry NAME("), anything else is
 * CUDA_ERROR_NOT_FOUND; cuLaunchKernel decodes the parameters, checks grid and block against the ABI
 * table (a mismatch is CUDA_ERROR_INVALID_VALUE, so host launch bugs are caught), checks that every
 * buffer the kernel would touch lies inside one live allocation (else CUDA_ERROR_ILLEGAL_ADDRESS), and
 * runs a C emulation of the kernel synchronously: plain loops, float32 accumulation, the spec's
 * rounding and bounds rules, FillUniform bit-exact.
 *
 * Streams and graphs: work runs at once, in issue order. While a stream captures, launches, async
 * copies and async memsets on it are recorded, not run; cuGraphLaunch replays the record (parameters as
 * captured, memory read at replay, as in a real graph). As in the real driver: cuStreamSynchronize on a
 * capturing stream, and in global/thread-local capture mode the potentially unsafe calls (synchronous
 * copies and memsets, cuCtxSynchronize, cuMemAlloc/Free, cuMemAllocHost/FreeHost) fail with
 * CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED and invalidate the capture (cuStreamEndCapture then returns
 * CUDA_ERROR_STREAM_CAPTURE_INVALIDATED); an async copy with pageable (not cuMemAllocHost) host memory
 * cannot be captured; work on the legacy stream while a blocking stream captures is
 * CUDA_ERROR_STREAM_CAPTURE_IMPLICIT. cuGraphLaunch into a capturing stream is not emulated.
 *
 * Configured at call time by:
 *   CUDA_SHIM_INIT_RESULT          cuInit's return code (default 0)
 *   CUDA_SHIM_DEVICE_COUNT         devices (default 1)
 *   CUDA_SHIM_TOTAL_BYTES          total memory per device (default 1 GiB)
 *   CUDA_SHIM_DRIVER_VERSION       cuDriverGetVersion (default 12080, CUDA 12.8)
 *   CUDA_SHIM_COMPUTE_CAPABILITY   major.minor (default 9.0)
 *   CUDA_SHIM_SM_COUNT             CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT (default 132)
 *   CUDA_SHIM_MODULE_RESULT        cuModuleLoadDataEx's return code (default 0); when it is an error and
 *                                  the caller passed CU_JIT_ERROR_LOG_BUFFER, a ptxas-style message is written
 *                                  there and CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES is set to its length
 *   CUDA_SHIM_FAIL_ALLOC_AFTER     cuMemAlloc returns CUDA_ERROR_OUT_OF_MEMORY once this many allocations
 *                                  have succeeded in the process (see cuShimAllocationsMade)
 * Free memory is the total minus what is allocated.
 *
 * Counters for tests (exported): cuShimLiveAllocations, cuShimLivePinnedAllocations, cuShimLiveStreams,
 * cuShimLiveModules, cuShimLiveGraphs, cuShimLiveGraphExecs, cuShimAllocationsMade, cuShimKernelLaunches
 * (launches run at once), cuShimCapturedLaunches (launches recorded by a capture), cuShimGraphLaunches,
 * cuShimKernelsRun (kernels executed, direct or replayed), cuShimKernelsRunNamed(name), and
 * cuShimLastMessage (why the last failing call failed, in words).
 *
 * Builds with: gcc -shared -fPIC -O1 -o libcuda.so.1 cuda_shim.c (no libm: exp and sqrt are computed here).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef unsigned long long CUdeviceptr;
typedef struct CUstream_st *CUstream;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;
typedef int CUdevice_attribute;
typedef int CUjit_option;
typedef int CUstreamCaptureMode;
typedef int CUstreamCaptureStatus;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_JIT_COMPILER_NOT_FOUND = 221,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_ILLEGAL_STATE = 401,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900,
    CUDA_ERROR_STREAM_CAPTURE_INVALIDATED = 901,
    CUDA_ERROR_STREAM_CAPTURE_IMPLICIT = 906,
    CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD = 908,
    CUDA_ERROR_UNKNOWN = 999
};

enum { CU_JIT_INFO_LOG_BUFFER = 3, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4, CU_JIT_ERROR_LOG_BUFFER = 5, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6 };
enum { CU_STREAM_CAPTURE_MODE_GLOBAL = 0, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1, CU_STREAM_CAPTURE_MODE_RELAXED = 2 };
enum { CU_STREAM_CAPTURE_STATUS_NONE = 0, CU_STREAM_CAPTURE_STATUS_ACTIVE = 1, CU_STREAM_CAPTURE_STATUS_INVALIDATED = 2 };
enum { CU_STREAM_NON_BLOCKING = 1 };
#define MAX_DEVICES 16

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static size_t allocated_bytes;
static int primary_retains[MAX_DEVICES];
static __thread CUcontext current;
static char last_message[512];

static int allocations_made, kernel_launches, captured_launches, graph_launches, kernels_run;

/* Every exported call takes the lock: the lists below are process-wide, like the driver's state. */
#define LOCKED(call)                                                                                   \
    do {                                                                                               \
        CUresult locked_result_;                                                                       \
        pthread_mutex_lock(&state_lock);                                                               \
        locked_result_ = (call);                                                                       \
        pthread_mutex_unlock(&state_lock);                                                             \
        return locked_result_;                                                                         \
    } while (0)

static CUresult fail(CUresult result, const char *format, ...) __attribute__((format(printf, 2, 3)));
static CUresult fail(CUresult result, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(last_message, sizeof last_message, format, args);
    va_end(args);
    return result;
}

static long env_long(const char *name, long fallback)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? strtol(value, NULL, 10) : fallback;
}

static size_t total_bytes(void) { return (size_t)env_long("CUDA_SHIM_TOTAL_BYTES", 1L << 30); }

static void compute_capability(int *major, int *minor)
{
    const char *value = getenv("CUDA_SHIM_COMPUTE_CAPABILITY");
    *major = 9;
    *minor = 0;
    if (value != NULL && sscanf(value, "%d.%d", major, minor) < 1) {
        *major = 9;
    }
}

/* ---------------------------------------------------------------------------------------------------
 * Small growable pointer lists: allocations, pinned memory, streams, modules, functions, graphs.
 */
typedef struct {
    void **items;
    int count, capacity;
} List;

static int list_add(List *list, void *item)
{
    if (list->count == list->capacity) {
        int capacity = list->capacity == 0 ? 16 : list->capacity * 2;
        void **items = realloc(list->items, (size_t)capacity * sizeof(void *));
        if (items == NULL) return 0;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = item;
    return 1;
}

static int list_index(const List *list, const void *item)
{
    for (int i = 0; i < list->count; i++) {
        if (list->items[i] == item) return i;
    }
    return -1;
}

static int list_remove(List *list, const void *item)
{
    int i = list_index(list, item);
    if (i < 0) return 0;
    list->items[i] = list->items[--list->count];
    return 1;
}

/* ---------------------------------------------------------------------------------------------------
 * Memory.
 */
typedef struct {
    unsigned char *base;
    size_t bytes;
} Block;

static List device_blocks, pinned_blocks;

static Block *find_block(const List *blocks, const void *base)
{
    for (int i = 0; i < blocks->count; i++) {
        Block *b = blocks->items[i];
        if (b->base == base) return b;
    }
    return NULL;
}

/* True when [address, address + bytes) lies inside one block of the list. */
static int inside(const List *blocks, uintptr_t address, size_t bytes)
{
    for (int i = 0; i < blocks->count; i++) {
        const Block *b = blocks->items[i];
        uintptr_t start = (uintptr_t)b->base;
        if (address >= start && address - start <= b->bytes && bytes <= b->bytes - (address - start)) return 1;
    }
    return 0;
}

static int device_range_ok(CUdeviceptr address, size_t bytes) { return bytes == 0 || inside(&device_blocks, (uintptr_t)address, bytes); }

static Block *new_block(size_t bytes)
{
    Block *b = malloc(sizeof *b);
    void *memory = NULL;
    if (b == NULL) return NULL;
    /* cuMemAlloc's alignment is at least 256 bytes; hosts rely on it for sub-allocation. */
    if (posix_memalign(&memory, 256, bytes) != 0) {
        free(b);
        return NULL;
    }
    b->base = memory;
    b->bytes = bytes;
    return b;
}

/* ---------------------------------------------------------------------------------------------------
 * Streams, captures and graphs.
 */
enum { OP_KERNEL, OP_COPY_HTOD, OP_COPY_DTOH, OP_COPY_DTOD, OP_MEMSET8 };

#define MAX_PARAMS 16
typedef union {
    unsigned long long u64;
    long long i64;
    int i32;
    float f32;
} Arg;

struct CUfunc_st;

typedef struct {
    int kind;
    struct CUfunc_st *function;
    Arg args[MAX_PARAMS];
    unsigned int grid[3], block[3];
    CUdeviceptr device, device_source;
    void *host;
    const void *host_source;
    size_t bytes;
    unsigned char value;
} Work;

typedef struct {
    Work *items;
    int count, capacity;
} WorkList;

struct CUstream_st {
    unsigned int flags;
    int capture_status;
    int capture_mode;
    pthread_t capture_thread;
    WorkList captured;
};

struct CUgraph_st {
    WorkList work;
};

struct CUgraphExec_st {
    WorkList work;
};

static List streams, graphs, graph_execs;

static int work_add(WorkList *list, const Work *work)
{
    if (list->count == list->capacity) {
        int capacity = list->capacity == 0 ? 32 : list->capacity * 2;
        Work *items = realloc(list->items, (size_t)capacity * sizeof(Work));
        if (items == NULL) return 0;
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = *work;
    return 1;
}

static int work_copy(WorkList *to, const WorkList *from)
{
    to->count = to->capacity = 0;
    to->items = NULL;
    if (from->count == 0) return 1;
    to->items = malloc((size_t)from->count * sizeof(Work));
    if (to->items == NULL) return 0;
    memcpy(to->items, from->items, (size_t)from->count * sizeof(Work));
    to->count = to->capacity = from->count;
    return 1;
}

/* NULL, CU_STREAM_LEGACY (0x1) and CU_STREAM_PER_THREAD (0x2) are the default streams. */
static int is_default_stream(CUstream s) { return (uintptr_t)s <= 2; }
static int is_legacy_stream(CUstream s) { return (uintptr_t)s <= 1; }

static CUresult check_stream(CUstream s)
{
    if (is_default_stream(s) || list_index(&streams, s) >= 0) return CUDA_SUCCESS;
    return fail(CUDA_ERROR_INVALID_HANDLE, "stream %p is not a live stream", (void *)s);
}

static int capturing(const struct CUstream_st *s) { return s->capture_status != CU_STREAM_CAPTURE_STATUS_NONE; }

/* A potentially unsafe call while a global capture (or this thread's thread-local capture) is under way:
 * it fails and the capture is invalidated, as the driver does. */
static CUresult refuse_if_capturing(const char *call)
{
    int refused = 0;
    for (int i = 0; i < streams.count; i++) {
        struct CUstream_st *s = streams.items[i];
        if (s->capture_status == CU_STREAM_CAPTURE_STATUS_ACTIVE &&
            (s->capture_mode == CU_STREAM_CAPTURE_MODE_GLOBAL ||
             (s->capture_mode == CU_STREAM_CAPTURE_MODE_THREAD_LOCAL && pthread_equal(s->capture_thread, pthread_self())))) {
            s->capture_status = CU_STREAM_CAPTURE_STATUS_INVALIDATED;
            refused = 1;
        }
    }
    return refused ? fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "%s is not permitted while a stream is capturing; the capture is invalidated", call)
                   : CUDA_SUCCESS;
}

/* Work on the legacy stream would wait for a capturing blocking stream: the driver refuses it. */
static CUresult refuse_implicit(CUstream s, const char *call)
{
    int refused = 0;
    if (!is_legacy_stream(s)) return CUDA_SUCCESS;
    for (int i = 0; i < streams.count; i++) {
        struct CUstream_st *c = streams.items[i];
        if (c->capture_status == CU_STREAM_CAPTURE_STATUS_ACTIVE && (c->flags & CU_STREAM_NON_BLOCKING) == 0) {
            c->capture_status = CU_STREAM_CAPTURE_STATUS_INVALIDATED;
            refused = 1;
        }
    }
    return refused ? fail(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, "%s on the legacy stream while a blocking stream is capturing", call) : CUDA_SUCCESS;
}

static CUresult execute(const Work *work);

/* Runs the work now, or records it when the stream captures. */
static CUresult submit(CUstream stream, const Work *work, const char *call)
{
    CUresult result = check_stream(stream);
    if (result != CUDA_SUCCESS) return result;
    result = refuse_implicit(stream, call);
    if (result != CUDA_SUCCESS) return result;
    if (!is_default_stream(stream) && capturing(stream)) {
        if (stream->capture_status == CU_STREAM_CAPTURE_STATUS_INVALIDATED) {
            return fail(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "%s on a stream whose capture was invalidated", call);
        }
        if ((work->kind == OP_COPY_HTOD && !inside(&pinned_blocks, (uintptr_t)work->host_source, work->bytes)) ||
            (work->kind == OP_COPY_DTOH && !inside(&pinned_blocks, (uintptr_t)work->host, work->bytes))) {
            stream->capture_status = CU_STREAM_CAPTURE_STATUS_INVALIDATED;
            return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "%s with pageable host memory cannot be captured (use cuMemAllocHost memory)", call);
        }
        if (!work_add(&stream->captured, work)) return fail(CUDA_ERROR_OUT_OF_MEMORY, "the shim ran out of host memory recording %s", call);
        if (work->kind == OP_KERNEL) captured_launches++;
        return CUDA_SUCCESS;
    }
    result = execute(work);
    if (result == CUDA_SUCCESS && work->kind == OP_KERNEL) kernel_launches++;
    return result;
}

/* ---------------------------------------------------------------------------------------------------
 * Numerics without libm: the emulations need exp, sqrt and a correctly rounded float fused multiply-add.
 */
typedef union {
    double d;
    uint64_t u;
} DoubleBits;

typedef union {
    float f;
    uint32_t u;
} FloatBits;

static double power_of_two(int k)
{
    DoubleBits b;
    if (k > 1023) k = 1024; /* +inf */
    if (k < -1022) {
        b.u = (uint64_t)(k + 600 + 1023) << 52;
        return b.d * 2.409919865102884e-181; /* 2^-600 */
    }
    b.u = (uint64_t)(k + 1023) << 52;
    return b.d;
}

static double exp_double(double x)
{
    double k, r, p;
    if (x != x) return x;
    if (x > 709.8) return power_of_two(1024);
    if (x < -745.2) return 0.0;
    k = x * 1.4426950408889634;
    k = (double)(long long)(k < 0 ? k - 0.5 : k + 0.5);
    r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10; /* ln 2 in two parts */
    /* Taylor series to r^14: |r| <= 0.35, so the truncation error is below 1e-17. */
    p = 1.0;
    for (int n = 14; n >= 1; n--) p = 1.0 + p * r / n;
    return p * power_of_two((int)k);
}

static float exp_float(float x) { return (float)exp_double((double)x); }

static double sqrt_double(double x)
{
    DoubleBits b;
    double y;
    if (!(x > 0.0) || x - x != 0.0) return x < 0.0 ? (x - x) / (x - x) : x; /* 0, NaN, +inf as they are; negative: NaN */
    b.d = x;
    b.u = (b.u >> 1) + ((uint64_t)1023 << 51); /* halve the exponent: within a factor of 1.5 */
    y = b.d;
    for (int i = 0; i < 6; i++) y = 0.5 * (y + x / y);
    return y;
}

/* fmaf(a, b, c) with one rounding: a*b is exact in double (24 + 24 bits); the sum is rounded to odd
 * in double (53 >= 24 + 2 bits), which makes the final rounding to float correct. */
static float fma_float(float a, float b, float c)
{
    double product = (double)a * (double)b, sum = product + (double)c;
    double bb = sum - product, error = (product - (sum - bb)) + ((double)c - bb); /* TwoSum: exact */
    DoubleBits s;
    s.d = sum;
    if (error != 0.0 && (s.u & 1) == 0 && sum - sum == 0.0) {
        if ((error > 0) == (sum > 0)) s.u++;
        else s.u--;
    }
    return (float)s.d;
}

/* ---------------------------------------------------------------------------------------------------
 * Element types: f32, f16 (IEEE binary16 bits) and bf16 (bfloat16 bits), as in the kernel ABI.
 */
enum { DT_F32, DT_F16, DT_BF16, DT_COUNT };
static const char *const dtype_suffix[DT_COUNT] = {"f32", "f16", "bf16"};
static const size_t dtype_size[DT_COUNT] = {4, 2, 2};

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    FloatBits f;
    if (exponent == 0x1f) {
        f.u = sign | 0x7f800000u | (mantissa << 13);
    } else if (exponent != 0) {
        f.u = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        f.u = sign;
    } else { /* subnormal: m * 2^-24 is exact in float */
        f.f = (float)mantissa * 5.9604644775390625e-8f;
        f.u |= sign;
    }
    return f.f;
}

/* Round to nearest even, as cvt.rn.f16.f32 does. */
static uint16_t float_to_half(float value)
{
    FloatBits f;
    uint32_t sign, absolute;
    f.f = value;
    sign = (f.u >> 16) & 0x8000;
    absolute = f.u & 0x7fffffffu;
    if (absolute > 0x7f800000u) return (uint16_t)(sign | 0x7e00 | ((absolute >> 13) & 0x3ff));
    if (absolute >= 0x477ff000u) return (uint16_t)(sign | 0x7c00); /* 65520 and up round to infinity */
    if (absolute >= 0x38800000u) {                                  /* normal half */
        uint32_t r = absolute - (112u << 23);
        r += 0xfff + ((r >> 13) & 1);
        return (uint16_t)(sign | (r >> 13));
    }
    if (absolute <= 0x33000000u) return (uint16_t)sign; /* at most 2^-25: ties to the even zero */
    {
        uint32_t exponent = absolute >> 23, mantissa = (absolute & 0x7fffff) | 0x800000;
        uint32_t shift = 126 - exponent; /* value / 2^-24 = mantissa >> shift; shift is 14..24 */
        uint32_t result = mantissa >> shift, remainder = mantissa & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (remainder > half || (remainder == half && (result & 1))) result++;
        return (uint16_t)(sign | result);
    }
}

static float bf16_to_float(uint16_t b)
{
    FloatBits f;
    f.u = (uint32_t)b << 16;
    return f.f;
}

static uint16_t float_to_bf16(float value)
{
    FloatBits f;
    f.f = value;
    if ((f.u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)(((f.u >> 16) & 0x8000) | 0x7fc0);
    return (uint16_t)((f.u + 0x7fff + ((f.u >> 16) & 1)) >> 16);
}

static float load(CUdeviceptr base, long long i, int dt)
{
    if (dt == DT_F32) return ((const float *)(uintptr_t)base)[i];
    if (dt == DT_F16) return half_to_float(((const uint16_t *)(uintptr_t)base)[i]);
    return bf16_to_float(((const uint16_t *)(uintptr_t)base)[i]);
}

static void store(CUdeviceptr base, long long i, int dt, float value)
{
    if (dt == DT_F32) ((float *)(uintptr_t)base)[i] = value;
    else if (dt == DT_F16) ((uint16_t *)(uintptr_t)base)[i] = float_to_half(value);
    else ((uint16_t *)(uintptr_t)base)[i] = float_to_bf16(value);
}

/* Bit copy of one element (gathers and cache writes do no arithmetic). */
static void copy_element(CUdeviceptr to, long long i, CUdeviceptr from, long long j, int dt)
{
    memcpy((unsigned char *)(uintptr_t)to + i * (long long)dtype_size[dt], (const unsigned char *)(uintptr_t)from + j * (long long)dtype_size[dt], dtype_size[dt]);
}

static void zero_element(CUdeviceptr to, long long i, int dt) { memset((unsigned char *)(uintptr_t)to + i * (long long)dtype_size[dt], 0, dtype_size[dt]); }

static int read_int(CUdeviceptr base, long long i) { return ((const int *)(uintptr_t)base)[i]; }

/* ---------------------------------------------------------------------------------------------------
 * The kernel ABI: entry points, parameters, launch shapes, and the emulations.
 * Parameter kinds: p pointer, i int, f float, l 64-bit integer.
 */
enum { K_GATHER, K_RMS_NORM, K_MATMUL, K_ROTARY, K_SILU_MUL, K_ADD, K_KV_WRITE, K_PAGED_ATTENTION, K_ATTENTION, K_ARGMAX, K_FILL_UNIFORM, K_COUNT };

static const struct {
    const char *name;
    const char *params;
} kernels[K_COUNT] = {
    {"embedding_gather", "pppiii"},   {"rms_norm", "ppppiif"},    {"matmul", "pppiii"},
    {"rotary", "pppiiiii"},           {"silu_mul", "ppii"},       {"add", "pppiiiff"},
    {"kv_write", "pppppiiiiiii"},     {"paged_attention", "ppppppiiiiiiif"},
    {"attention", "ppppiiif"},        {"argmax", "ppii"},         {"fill_uniform", "pllff"},
};

static int kernels_run_by_entry[K_COUNT][DT_COUNT];

struct CUfunc_st {
    CUmodule module;
    int kernel, dtype;
};

struct CUmod_st {
    char *image;
    struct CUfunc_st *functions[K_COUNT][DT_COUNT];
};

static List modules, functions;

static unsigned int blocks_of(long long work, long long per_block) { return (unsigned int)((work + per_block - 1) / per_block); }

/* The launch shape the ABI table fixes for these arguments. */
static void expected_shape(int kernel, const Arg *a, unsigned int grid[3], unsigned int *threads)
{
    grid[0] = grid[1] = grid[2] = 1;
    switch (kernel) {
    case K_GATHER: grid[0] = (unsigned int)a[3].i32; *threads = 256; break;
    case K_RMS_NORM: grid[0] = (unsigned int)a[4].i32; *threads = 256; break;
    case K_MATMUL: grid[0] = blocks_of(a[4].i32, 8); *threads = 256; break;
    case K_ROTARY: grid[0] = (unsigned int)a[3].i32; *threads = 128; break;
    case K_SILU_MUL: grid[0] = blocks_of((long long)a[2].i32 * a[3].i32, 256); *threads = 256; break;
    case K_ADD: grid[0] = blocks_of((long long)a[3].i32 * a[4].i32, 256); *threads = 256; break;
    case K_KV_WRITE: grid[0] = (unsigned int)a[5].i32; *threads = 128; break;
    case K_PAGED_ATTENTION: grid[0] = (unsigned int)a[7].i32; grid[1] = (unsigned int)a[6].i32; *threads = 128; break;
    case K_ATTENTION: grid[0] = (unsigned int)a[5].i32; grid[1] = (unsigned int)a[4].i32; *threads = 128; break;
    case K_ARGMAX: grid[0] = (unsigned int)a[2].i32; *threads = 1024; break;
    default: {
        long long blocks = a[1].i64 <= 0 ? 0 : (a[1].i64 + 255) / 256;
        grid[0] = (unsigned int)(blocks > 65535 ? 65535 : blocks);
        *threads = 256;
    }
    }
}

static long long nonnegative(long long n) { return n < 0 ? 0 : n; }

/* Each buffer the kernel may touch, by the shapes in its arguments, must lie inside one allocation. */
static CUresult check_buffer(const struct CUfunc_st *f, const char *what, CUdeviceptr p, long long elements, size_t element_size)
{
    size_t bytes = (size_t)nonnegative(elements) * element_size;
    if (device_range_ok(p, bytes)) return CUDA_SUCCESS;
    return fail(CUDA_ERROR_ILLEGAL_ADDRESS, "sgl_%s_%s: %s (0x%llx, %zu bytes) is not inside one live device allocation", kernels[f->kernel].name,
                dtype_suffix[f->dtype], what, p, bytes);
}

#define CHECK_BUFFER(what, p, elements, size)                                                          \
    do {                                                                                               \
        CUresult r_ = check_buffer(f, what, p, elements, size);                                        \
        if (r_ != CUDA_SUCCESS) return r_;                                                             \
    } while (0)

static CUresult emulate_gather(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[3].i32, hidden = a[4].i32, vocab = a[5].i32;
    size_t es = dtype_size[dt];
    if (rows <= 0 || hidden <= 0) return CUDA_SUCCESS;
    CHECK_BUFFER("table", a[0].u64, (long long)vocab * hidden, es);
    CHECK_BUFFER("ids", a[1].u64, rows, 4);
    CHECK_BUFFER("out", a[2].u64, (long long)rows * hidden, es);
    for (int r = 0; r < rows; r++) {
        int id = read_int(a[1].u64, r);
        for (int i = 0; i < hidden; i++) {
            if (id >= 0 && id < vocab) copy_element(a[2].u64, (long long)r * hidden + i, a[0].u64, (long long)id * hidden + i, dt);
            else zero_element(a[2].u64, (long long)r * hidden + i, dt);
        }
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_rms_norm(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[4].i32, hidden = a[5].i32;
    CUdeviceptr input = a[0].u64, weight = a[1].u64, output = a[2].u64, residual = a[3].u64;
    float eps = a[6].f32;
    size_t es = dtype_size[dt];
    if (rows <= 0 || hidden <= 0) return CUDA_SUCCESS;
    CHECK_BUFFER("input", input, (long long)rows * hidden, es);
    CHECK_BUFFER("weight", weight, hidden, es);
    CHECK_BUFFER("output", output, (long long)rows * hidden, es);
    if (residual != 0) CHECK_BUFFER("residual", residual, (long long)rows * hidden, es);
    for (int r = 0; r < rows; r++) {
        long long row = (long long)r * hidden;
        float squares = 0.0f, inverse;
        for (int i = 0; i < hidden; i++) {
            float x = load(input, row + i, dt);
            if (residual != 0) {
                store(residual, row + i, dt, load(residual, row + i, dt) + x); /* rounded, then used as stored */
                x = load(residual, row + i, dt);
            }
            squares += x * x;
        }
        inverse = 1.0f / (float)sqrt_double((double)(squares / (float)hidden + eps));
        for (int i = 0; i < hidden; i++) {
            float x = load(residual != 0 ? residual : input, row + i, dt);
            store(output, row + i, dt, x * inverse * load(weight, i, dt));
        }
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_matmul(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[3].i32, n = a[4].i32, k = a[5].i32;
    size_t es = dtype_size[dt];
    if (rows <= 0 || n <= 0 || k < 0) return CUDA_SUCCESS;
    CHECK_BUFFER("x", a[0].u64, (long long)rows * k, es);
    CHECK_BUFFER("w", a[1].u64, (long long)n * k, es);
    CHECK_BUFFER("y", a[2].u64, (long long)rows * n, es);
    for (int r = 0; r < rows; r++) {
        for (int j = 0; j < n; j++) {
            float sum = 0.0f;
            for (int i = 0; i < k; i++) sum += load(a[0].u64, (long long)r * k + i, dt) * load(a[1].u64, (long long)j * k + i, dt);
            store(a[2].u64, (long long)r * n + j, dt, sum);
        }
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_rotary(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[3].i32, stride = a[4].i32, d = a[5].i32, heads = a[6].i32, positions = a[7].i32;
    CUdeviceptr x = a[0].u64, table = a[2].u64;
    if (rows <= 0 || d <= 0 || d % 2 != 0 || heads < 0 || (long long)heads * d > stride) return CUDA_SUCCESS;
    CHECK_BUFFER("x", x, (long long)rows * stride, dtype_size[dt]);
    CHECK_BUFFER("positions", a[1].u64, rows, 4);
    CHECK_BUFFER("cos_sin", table, (long long)positions * d, 4);
    for (int r = 0; r < rows; r++) {
        int p = read_int(a[1].u64, r);
        if (p < 0 || p >= positions) continue;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < d / 2; i++) {
                long long at = (long long)r * stride + (long long)h * d + 2 * i;
                float va = load(x, at, dt), vb = load(x, at + 1, dt);
                float c = load(table, (long long)p * d + i, DT_F32), s = load(table, (long long)p * d + d / 2 + i, DT_F32);
                store(x, at, dt, va * c - vb * s);
                store(x, at + 1, dt, va * s + vb * c);
            }
        }
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_silu_mul(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[2].i32, width = a[3].i32;
    size_t es = dtype_size[dt];
    if (rows <= 0 || width <= 0) return CUDA_SUCCESS;
    CHECK_BUFFER("gate_up", a[0].u64, (long long)rows * 2 * width, es);
    CHECK_BUFFER("out", a[1].u64, (long long)rows * width, es);
    for (long long r = 0; r < rows; r++) {
        for (long long i = 0; i < width; i++) {
            float g = load(a[0].u64, r * 2 * width + i, dt), u = load(a[0].u64, r * 2 * width + width + i, dt);
            store(a[1].u64, r * width + i, dt, g / (1.0f + exp_float(-g)) * u);
        }
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_add(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[3].i32, cols = a[4].i32, b_rows = a[5].i32;
    float scale_a = a[6].f32, scale_b = a[7].f32;
    size_t es = dtype_size[dt];
    if (rows <= 0 || cols <= 0 || (b_rows != 1 && b_rows != rows)) return CUDA_SUCCESS;
    CHECK_BUFFER("a", a[0].u64, (long long)rows * cols, es);
    CHECK_BUFFER("b", a[1].u64, (long long)b_rows * cols, es);
    CHECK_BUFFER("out", a[2].u64, (long long)rows * cols, es);
    for (long long r = 0; r < rows; r++) {
        for (long long j = 0; j < cols; j++) {
            float va = load(a[0].u64, r * cols + j, dt), vb = load(a[1].u64, (b_rows == 1 ? 0 : r) * cols + j, dt);
            store(a[2].u64, r * cols + j, dt, scale_a * va + scale_b * vb);
        }
    }
    return CUDA_SUCCESS;
}

/* Shared by KvWrite and the paged attention: which cache slot position p of row r's sequence maps to. */
typedef struct {
    int rows, q_heads, kv_heads, head_dim, table_rows, table_cols, capacity;
    CUdeviceptr qkv, k_cache, v_cache, slot_table, positions;
} PagedArgs;

static PagedArgs paged_args(const Arg *a, int first_int)
{
    PagedArgs p;
    p.qkv = a[0].u64;
    p.k_cache = a[1].u64;
    p.v_cache = a[2].u64;
    p.slot_table = a[3].u64;
    p.positions = a[4].u64;
    p.rows = a[first_int].i32;
    p.q_heads = a[first_int + 1].i32;
    p.kv_heads = a[first_int + 2].i32;
    p.head_dim = a[first_int + 3].i32;
    p.table_rows = a[first_int + 4].i32;
    p.table_cols = a[first_int + 5].i32;
    p.capacity = a[first_int + 6].i32;
    return p;
}

static CUresult check_paged(const struct CUfunc_st *f, const PagedArgs *p)
{
    size_t es = dtype_size[f->dtype];
    long long width = (long long)p->kv_heads * p->head_dim;
    CHECK_BUFFER("qkv", p->qkv, (long long)p->rows * (p->q_heads + 2LL * p->kv_heads) * p->head_dim, es);
    CHECK_BUFFER("k_cache", p->k_cache, (long long)p->capacity * width, es);
    CHECK_BUFFER("v_cache", p->v_cache, (long long)p->capacity * width, es);
    CHECK_BUFFER("slot_table", p->slot_table, (long long)p->table_rows * p->table_cols, 4);
    CHECK_BUFFER("positions", p->positions, p->rows, 4);
    return CUDA_SUCCESS;
}

/* -1 when row r's position or its slot is outside the table or the cache. */
static int slot_of(const PagedArgs *p, int r, int position)
{
    int seq = p->table_rows == 1 ? 0 : r, slot;
    if (seq >= p->table_rows || position < 0 || position >= p->table_cols) return -1;
    slot = read_int(p->slot_table, (long long)seq * p->table_cols + position);
    return slot >= 0 && slot < p->capacity ? slot : -1;
}

static CUresult emulate_kv_write(const struct CUfunc_st *f, const Arg *a)
{
    PagedArgs p = paged_args(a, 5);
    int dt = f->dtype;
    CUresult result;
    if (p.rows <= 0 || p.q_heads < 0 || p.kv_heads <= 0 || p.head_dim <= 0 || p.table_rows <= 0 || p.table_cols <= 0) return CUDA_SUCCESS;
    if ((result = check_paged(f, &p)) != CUDA_SUCCESS) return result;
    for (int r = 0; r < p.rows; r++) {
        long long width = (long long)p.kv_heads * p.head_dim;
        long long k = (long long)r * (p.q_heads + 2LL * p.kv_heads) * p.head_dim + (long long)p.q_heads * p.head_dim;
        int slot = slot_of(&p, r, read_int(p.positions, r));
        if (slot < 0) continue;
        for (long long i = 0; i < width; i++) {
            copy_element(p.k_cache, slot * width + i, p.qkv, k + i, dt);
            copy_element(p.v_cache, slot * width + i, p.qkv, k + width + i, dt);
        }
    }
    return CUDA_SUCCESS;
}

/* Softmax-weighted sum of the present keys' values (offset -1: absent), in two passes; zeros when no key is present. */
static void attend(int dt, CUdeviceptr q, CUdeviceptr k, CUdeviceptr v, const long long *offsets, int count, int d, float scale, CUdeviceptr out,
                   float *scores)
{
    float max = 0.0f, sum = 0.0f;
    int any = 0;
    for (int j = 0; j < count; j++) {
        float dot = 0.0f;
        if (offsets[j] < 0) continue;
        for (int i = 0; i < d; i++) dot += load(q, i, dt) * load(k, offsets[j] + i, dt);
        scores[j] = scale * dot;
        if (!any || scores[j] > max) max = scores[j];
        any = 1;
    }
    for (int j = 0; j < count; j++) {
        if (offsets[j] < 0) continue;
        scores[j] = exp_float(scores[j] - max);
        sum += scores[j];
    }
    for (int i = 0; i < d; i++) {
        float o = 0.0f;
        for (int j = 0; j < count; j++) {
            if (offsets[j] >= 0) o += scores[j] * load(v, offsets[j] + i, dt);
        }
        store(out, i, dt, any ? o / sum : 0.0f);
    }
}

static CUresult emulate_paged_attention(const struct CUfunc_st *f, const Arg *a)
{
    PagedArgs p;
    Arg shifted[MAX_PARAMS];
    int dt = f->dtype, d;
    long long *offsets;
    float *scores, scale = a[13].f32;
    CUdeviceptr out = a[5].u64;
    CUresult result;
    /* Same layout as KvWrite's arguments with `out` inserted after positions. */
    memcpy(shifted, a, 5 * sizeof(Arg));
    memcpy(shifted + 5, a + 6, 7 * sizeof(Arg));
    p = paged_args(shifted, 5);
    d = p.head_dim;
    if (p.rows <= 0 || p.q_heads <= 0 || p.kv_heads <= 0 || p.q_heads % p.kv_heads != 0 || d <= 0 || d > 256 || p.table_rows <= 0 || p.table_cols <= 0)
        return CUDA_SUCCESS;
    if ((result = check_paged(f, &p)) != CUDA_SUCCESS) return result;
    CHECK_BUFFER("out", out, (long long)p.rows * p.q_heads * d, dtype_size[dt]);
    offsets = malloc((size_t)p.table_cols * sizeof *offsets);
    scores = malloc((size_t)p.table_cols * sizeof *scores);
    if (offsets == NULL || scores == NULL) {
        free(offsets);
        free(scores);
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "the shim ran out of host memory emulating attention");
    }
    for (int r = 0; r < p.rows; r++) {
        int position = read_int(p.positions, r), seq = p.table_rows == 1 ? 0 : r;
        for (int h = 0; h < p.q_heads; h++) {
            CUdeviceptr out_row = out + ((unsigned long long)r * p.q_heads + h) * d * dtype_size[dt];
            int g = h / (p.q_heads / p.kv_heads);
            if (seq >= p.table_rows || position < 0 || position >= p.table_cols) {
                for (int i = 0; i < d; i++) store(out_row, i, dt, 0.0f);
                continue;
            }
            for (int j = 0; j <= position; j++) {
                int slot = slot_of(&p, r, j);
                offsets[j] = slot < 0 ? -1 : (long long)slot * p.kv_heads * d + (long long)g * d;
            }
            attend(dt, p.qkv + ((unsigned long long)r * (p.q_heads + 2 * p.kv_heads) + h) * d * dtype_size[dt], p.k_cache, p.v_cache, offsets, position + 1, d,
                   scale, out_row, scores);
        }
    }
    free(offsets);
    free(scores);
    return CUDA_SUCCESS;
}

static CUresult emulate_attention(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, tokens = a[4].i32, heads = a[5].i32, d = a[6].i32;
    float scale = a[7].f32;
    size_t es = dtype_size[dt];
    long long width = (long long)heads * d, *offsets;
    float *scores;
    if (tokens <= 0 || heads <= 0 || d <= 0 || d > 256) return CUDA_SUCCESS;
    CHECK_BUFFER("q", a[0].u64, tokens * width, es);
    CHECK_BUFFER("k", a[1].u64, tokens * width, es);
    CHECK_BUFFER("v", a[2].u64, tokens * width, es);
    CHECK_BUFFER("out", a[3].u64, tokens * width, es);
    offsets = malloc((size_t)tokens * sizeof *offsets);
    scores = malloc((size_t)tokens * sizeof *scores);
    if (offsets == NULL || scores == NULL) {
        free(offsets);
        free(scores);
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "the shim ran out of host memory emulating attention");
    }
    for (int r = 0; r < tokens; r++) {
        for (int h = 0; h < heads; h++) {
            unsigned long long at = (unsigned long long)(r * width + (long long)h * d) * es;
            for (int j = 0; j < tokens; j++) offsets[j] = j * width + (long long)h * d;
            attend(dt, a[0].u64 + at, a[1].u64, a[2].u64, offsets, tokens, d, scale, a[3].u64 + at, scores);
        }
    }
    free(offsets);
    free(scores);
    return CUDA_SUCCESS;
}

static CUresult emulate_argmax(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype, rows = a[2].i32, vocab = a[3].i32;
    if (rows <= 0 || vocab <= 0) return CUDA_SUCCESS;
    CHECK_BUFFER("logits", a[0].u64, (long long)rows * vocab, dtype_size[dt]);
    CHECK_BUFFER("out", a[1].u64, rows, 4);
    for (int r = 0; r < rows; r++) {
        int best = 0;
        float best_value = load(a[0].u64, (long long)r * vocab, dt);
        for (int i = 1; i < vocab && best_value == best_value; i++) { /* the first NaN wins: stop there */
            float v = load(a[0].u64, (long long)r * vocab + i, dt);
            if (v != v || v > best_value) {
                best = i;
                best_value = v;
            }
        }
        ((int *)(uintptr_t)a[1].u64)[r] = best;
    }
    return CUDA_SUCCESS;
}

static CUresult emulate_fill_uniform(const struct CUfunc_st *f, const Arg *a)
{
    int dt = f->dtype;
    long long count = a[1].i64;
    uint64_t seed = a[2].u64;
    float low = a[3].f32, high = a[4].f32, range = high - low;
    if (count <= 0) return CUDA_SUCCESS;
    CHECK_BUFFER("out", a[0].u64, count, dtype_size[dt]);
    for (long long i = 0; i < count; i++) {
        uint64_t z = seed + ((uint64_t)i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z = z ^ (z >> 31);
        store(a[0].u64, i, dt, fma_float((float)(z >> 40) * 5.9604644775390625e-8f, range, low));
    }
    return CUDA_SUCCESS;
}

static CUresult (*const emulations[K_COUNT])(const struct CUfunc_st *, const Arg *) = {
    emulate_gather,  emulate_rms_norm, emulate_matmul,          emulate_rotary,    emulate_silu_mul,     emulate_add,
    emulate_kv_write, emulate_paged_attention, emulate_attention, emulate_argmax, emulate_fill_uniform,
};

static CUresult execute(const Work *work)
{
    switch (work->kind) {
    case OP_KERNEL: {
        const struct CUfunc_st *f = work->function;
        CUresult result;
        if (list_index(&functions, f) < 0) return fail(CUDA_ERROR_INVALID_HANDLE, "the function's module was unloaded");
        result = emulations[f->kernel](f, work->args);
        if (result == CUDA_SUCCESS) {
            kernels_run++;
            kernels_run_by_entry[f->kernel][f->dtype]++;
        }
        return result;
    }
    case OP_COPY_HTOD:
        if (!device_range_ok(work->device, work->bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "copy destination 0x%llx + %zu bytes is not inside one allocation", work->device, work->bytes);
        memcpy((void *)(uintptr_t)work->device, work->host_source, work->bytes);
        return CUDA_SUCCESS;
    case OP_COPY_DTOH:
        if (!device_range_ok(work->device_source, work->bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "copy source 0x%llx + %zu bytes is not inside one allocation", work->device_source, work->bytes);
        memcpy(work->host, (const void *)(uintptr_t)work->device_source, work->bytes);
        return CUDA_SUCCESS;
    case OP_COPY_DTOD:
        if (!device_range_ok(work->device, work->bytes) || !device_range_ok(work->device_source, work->bytes))
            return fail(CUDA_ERROR_INVALID_VALUE, "device copy of %zu bytes from 0x%llx to 0x%llx leaves its allocations", work->bytes, work->device_source, work->device);
        memmove((void *)(uintptr_t)work->device, (const void *)(uintptr_t)work->device_source, work->bytes);
        return CUDA_SUCCESS;
    default:
        if (!device_range_ok(work->device, work->bytes)) return fail(CUDA_ERROR_INVALID_VALUE, "memset of 0x%llx + %zu bytes is not inside one allocation", work->device, work->bytes);
        memset((void *)(uintptr_t)work->device, work->value, work->bytes);
        return CUDA_SUCCESS;
    }
}

/* ---------------------------------------------------------------------------------------------------
 * Driver entry points.
 */
static CUresult need_context(void) { return current == NULL ? fail(CUDA_ERROR_INVALID_CONTEXT, "no current context on this thread") : CUDA_SUCCESS; }

CUresult cuInit(unsigned int flags)
{
    CUresult result = (CUresult)env_long("CUDA_SHIM_INIT_RESULT", 0);
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    initialized = result == CUDA_SUCCESS;
    return result;
}

CUresult cuDriverGetVersion(int *version)
{
    if (version == NULL) return CUDA_ERROR_INVALID_VALUE;
    *version = (int)env_long("CUDA_SHIM_DRIVER_VERSION", 12080);
    return CUDA_SUCCESS;
}

static CUresult check_device(CUdevice device)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device < 0 || device >= env_long("CUDA_SHIM_DEVICE_COUNT", 1) || device >= MAX_DEVICES) return CUDA_ERROR_INVALID_DEVICE;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *device, int ordinal)
{
    CUresult result;
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == NULL) return CUDA_ERROR_INVALID_VALUE;
    if ((result = check_device(ordinal)) != CUDA_SUCCESS) return result;
    *device = ordinal;
    return CUDA_SUCCESS;
}

/* An H100/H200-like device unless the environment says otherwise. */
CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice device)
{
    int major, minor;
    CUresult result = check_device(device);
    if (result != CUDA_SUCCESS) return result;
    if (value == NULL) return CUDA_ERROR_INVALID_VALUE;
    compute_capability(&major, &minor);
    switch (attribute) {
    case 1: *value = 1024; break;        /* MAX_THREADS_PER_BLOCK */
    case 2: case 3: *value = 1024; break; /* MAX_BLOCK_DIM_X, _Y */
    case 4: *value = 64; break;           /* MAX_BLOCK_DIM_Z */
    case 5: *value = 2147483647; break;   /* MAX_GRID_DIM_X */
    case 6: case 7: *value = 65535; break; /* MAX_GRID_DIM_Y, _Z */
    case 8: *value = 49152; break;        /* MAX_SHARED_MEMORY_PER_BLOCK */
    case 10: *value = 32; break;          /* WARP_SIZE */
    case 12: *value = 65536; break;       /* MAX_REGISTERS_PER_BLOCK */
    case 13: *value = 1980000; break;     /* CLOCK_RATE, kHz */
    case 16: *value = (int)env_long("CUDA_SHIM_SM_COUNT", 132); break; /* MULTIPROCESSOR_COUNT */
    case 36: *value = 2619000; break;     /* MEMORY_CLOCK_RATE, kHz */
    case 37: *value = 5120; break;        /* GLOBAL_MEMORY_BUS_WIDTH, bits */
    case 38: *value = 50 * 1024 * 1024; break; /* L2_CACHE_SIZE */
    case 39: *value = 2048; break;        /* MAX_THREADS_PER_MULTIPROCESSOR */
    case 75: *value = major; break;       /* COMPUTE_CAPABILITY_MAJOR */
    case 76: *value = minor; break;       /* COMPUTE_CAPABILITY_MINOR */
    case 97: *value = 232448; break;      /* MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    default: return fail(CUDA_ERROR_INVALID_VALUE, "device attribute %d is not emulated", attribute);
    }
    return CUDA_SUCCESS;
}

static CUresult primary_ctx_retain(CUcontext *context, CUdevice device)
{
    CUresult result = check_device(device);
    if (result != CUDA_SUCCESS) return result;
    if (context == NULL) return CUDA_ERROR_INVALID_VALUE;
    primary_retains[device]++;
    *context = (CUcontext)(size_t)(0x1000 + device);
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) { LOCKED(primary_ctx_retain(context, device)); }

static CUresult primary_ctx_release(CUdevice device)
{
    CUresult result = check_device(device);
    if (result != CUDA_SUCCESS) return result;
    if (primary_retains[device] == 0) return fail(CUDA_ERROR_INVALID_CONTEXT, "device %d's primary context is not retained", device);
    primary_retains[device]--;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) { LOCKED(primary_ctx_release(device)); }

CUresult cuCtxSetCurrent(CUcontext context)
{
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    current = context;
    return CUDA_SUCCESS;
}

static CUresult ctx_synchronize(void)
{
    CUresult result = need_context();
    return result != CUDA_SUCCESS ? result : refuse_if_capturing("cuCtxSynchronize");
}

CUresult cuCtxSynchronize(void) { LOCKED(ctx_synchronize()); }

static const char *error_name(CUresult error)
{
    switch (error) {
    case CUDA_SUCCESS: return "CUDA_SUCCESS";
    case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case CUDA_ERROR_INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
    case CUDA_ERROR_JIT_COMPILER_NOT_FOUND: return "CUDA_ERROR_JIT_COMPILER_NOT_FOUND";
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
    case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case CUDA_ERROR_ILLEGAL_STATE: return "CUDA_ERROR_ILLEGAL_STATE";
    case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: return "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED";
    case CUDA_ERROR_STREAM_CAPTURE_INVALIDATED: return "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED";
    case CUDA_ERROR_STREAM_CAPTURE_IMPLICIT: return "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT";
    case CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD: return "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD";
    case CUDA_ERROR_UNKNOWN: return "CUDA_ERROR_UNKNOWN";
    default: return NULL;
    }
}

/* The driver's own wording for each code this shim can return. */
static const char *error_string(CUresult error)
{
    switch (error) {
    case CUDA_SUCCESS: return "no error";
    case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
    case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
    case CUDA_ERROR_NOT_INITIALIZED: return "initialization error";
    case CUDA_ERROR_NO_DEVICE: return "no CUDA-capable device is detected";
    case CUDA_ERROR_INVALID_DEVICE: return "invalid device ordinal";
    case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid";
    case CUDA_ERROR_INVALID_CONTEXT: return "invalid device context";
    case CUDA_ERROR_INVALID_PTX: return "a PTX JIT compilation failed";
    case CUDA_ERROR_JIT_COMPILER_NOT_FOUND: return "PTX JIT compiler library not found";
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: return "the provided PTX was compiled with an unsupported toolchain.";
    case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
    case CUDA_ERROR_ILLEGAL_STATE: return "the operation cannot be performed in the present state";
    case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
    case CUDA_ERROR_ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
    case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED: return "operation not permitted when stream is capturing";
    case CUDA_ERROR_STREAM_CAPTURE_INVALIDATED: return "operation failed due to a previous error during capture";
    case CUDA_ERROR_STREAM_CAPTURE_IMPLICIT: return "operation would make the legacy stream depend on a capturing blocking stream";
    case CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD: return "attempt to terminate a thread-local capture sequence from another thread";
    case CUDA_ERROR_UNKNOWN: return "unknown error";
    default: return NULL;
    }
}

CUresult cuGetErrorString(CUresult error, const char **text)
{
    if (text == NULL) return CUDA_ERROR_INVALID_VALUE;
    *text = error_string(error);
    return *text == NULL ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult error, const char **name)
{
    if (name == NULL) return CUDA_ERROR_INVALID_VALUE;
    *name = error_name(error);
    return *name == NULL ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

static CUresult mem_get_info(size_t *free_bytes, size_t *total)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (free_bytes == NULL || total == NULL) return CUDA_ERROR_INVALID_VALUE;
    *total = total_bytes();
    *free_bytes = *total - allocated_bytes;
    return CUDA_SUCCESS;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) { LOCKED(mem_get_info(free_bytes, total)); }

static CUresult mem_alloc(CUdeviceptr *pointer, size_t bytes)
{
    Block *block;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (pointer == NULL || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if ((result = refuse_if_capturing("cuMemAlloc")) != CUDA_SUCCESS) return result;
    if (allocations_made >= env_long("CUDA_SHIM_FAIL_ALLOC_AFTER", 0x7fffffff))
        return fail(CUDA_ERROR_OUT_OF_MEMORY, "CUDA_SHIM_FAIL_ALLOC_AFTER=%ld allocations reached", env_long("CUDA_SHIM_FAIL_ALLOC_AFTER", 0));
    if (bytes > total_bytes() - allocated_bytes) return fail(CUDA_ERROR_OUT_OF_MEMORY, "%zu bytes asked, %zu free", bytes, total_bytes() - allocated_bytes);
    if ((block = new_block(bytes)) == NULL || !list_add(&device_blocks, block)) {
        if (block != NULL) free(block->base);
        free(block);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    memset(block->base, 0xCD, bytes);
    allocated_bytes += bytes;
    allocations_made++;
    *pointer = (CUdeviceptr)(uintptr_t)block->base;
    return CUDA_SUCCESS;
}

CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) { LOCKED(mem_alloc(pointer, bytes)); }

static CUresult mem_free(CUdeviceptr pointer)
{
    Block *block;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if ((result = refuse_if_capturing("cuMemFree")) != CUDA_SUCCESS) return result;
    if (pointer == 0 || (block = find_block(&device_blocks, (void *)(uintptr_t)pointer)) == NULL)
        return fail(CUDA_ERROR_INVALID_VALUE, "0x%llx is not the start of a live allocation", pointer);
    list_remove(&device_blocks, block);
    allocated_bytes -= block->bytes;
    free(block->base);
    free(block);
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr pointer) { LOCKED(mem_free(pointer)); }

static CUresult mem_alloc_host(void **pointer, size_t bytes)
{
    Block *block;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (pointer == NULL || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if ((result = refuse_if_capturing("cuMemAllocHost")) != CUDA_SUCCESS) return result;
    if ((block = new_block(bytes)) == NULL || !list_add(&pinned_blocks, block)) {
        if (block != NULL) free(block->base);
        free(block);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    *pointer = block->base;
    return CUDA_SUCCESS;
}

CUresult cuMemAllocHost_v2(void **pointer, size_t bytes) { LOCKED(mem_alloc_host(pointer, bytes)); }

static CUresult mem_free_host(void *pointer)
{
    Block *block;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if ((result = refuse_if_capturing("cuMemFreeHost")) != CUDA_SUCCESS) return result;
    if ((block = find_block(&pinned_blocks, pointer)) == NULL) return fail(CUDA_ERROR_INVALID_VALUE, "%p is not pinned memory from cuMemAllocHost", pointer);
    list_remove(&pinned_blocks, block);
    free(block->base);
    free(block);
    return CUDA_SUCCESS;
}

CUresult cuMemFreeHost(void *pointer) { LOCKED(mem_free_host(pointer)); }

/* Synchronous copies and memsets run on the legacy stream: unsafe during a capture. */
static CUresult sync_work(const Work *work, const char *call)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if ((result = refuse_if_capturing(call)) != CUDA_SUCCESS) return result;
    if ((work->kind == OP_COPY_HTOD && work->host_source == NULL && work->bytes > 0) || (work->kind == OP_COPY_DTOH && work->host == NULL && work->bytes > 0))
        return fail(CUDA_ERROR_INVALID_VALUE, "%s with a null host pointer", call);
    return execute(work);
}

static CUresult async_work(const Work *work, CUstream stream, const char *call)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if ((work->kind == OP_COPY_HTOD && work->host_source == NULL && work->bytes > 0) || (work->kind == OP_COPY_DTOH && work->host == NULL && work->bytes > 0))
        return fail(CUDA_ERROR_INVALID_VALUE, "%s with a null host pointer", call);
    return submit(stream, work, call);
}

static Work copy_work(int kind, CUdeviceptr device, CUdeviceptr device_source, void *host, const void *host_source, size_t bytes)
{
    Work w;
    memset(&w, 0, sizeof w);
    w.kind = kind;
    w.device = device;
    w.device_source = device_source;
    w.host = host;
    w.host_source = host_source;
    w.bytes = bytes;
    return w;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source, size_t bytes)
{
    Work w = copy_work(OP_COPY_HTOD, destination, 0, NULL, source, bytes);
    LOCKED(sync_work(&w, "cuMemcpyHtoD"));
}

CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes)
{
    Work w = copy_work(OP_COPY_DTOH, 0, source, destination, NULL, bytes);
    LOCKED(sync_work(&w, "cuMemcpyDtoH"));
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void *source, size_t bytes, CUstream stream)
{
    Work w = copy_work(OP_COPY_HTOD, destination, 0, NULL, source, bytes);
    LOCKED(async_work(&w, stream, "cuMemcpyHtoDAsync"));
}

CUresult cuMemcpyDtoHAsync_v2(void *destination, CUdeviceptr source, size_t bytes, CUstream stream)
{
    Work w = copy_work(OP_COPY_DTOH, 0, source, destination, NULL, bytes);
    LOCKED(async_work(&w, stream, "cuMemcpyDtoHAsync"));
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr destination, CUdeviceptr source, size_t bytes, CUstream stream)
{
    Work w = copy_work(OP_COPY_DTOD, destination, source, NULL, NULL, bytes);
    LOCKED(async_work(&w, stream, "cuMemcpyDtoDAsync"));
}

CUresult cuMemsetD8_v2(CUdeviceptr destination, unsigned char value, size_t count)
{
    Work w = copy_work(OP_MEMSET8, destination, 0, NULL, NULL, count);
    w.value = value;
    LOCKED(sync_work(&w, "cuMemsetD8"));
}

CUresult cuMemsetD8Async(CUdeviceptr destination, unsigned char value, size_t count, CUstream stream)
{
    Work w = copy_work(OP_MEMSET8, destination, 0, NULL, NULL, count);
    w.value = value;
    LOCKED(async_work(&w, stream, "cuMemsetD8Async"));
}

static CUresult stream_create(CUstream *stream, unsigned int flags)
{
    struct CUstream_st *s;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (stream == NULL || (flags & ~(unsigned int)CU_STREAM_NON_BLOCKING) != 0) return CUDA_ERROR_INVALID_VALUE;
    if ((s = calloc(1, sizeof *s)) == NULL || !list_add(&streams, s)) {
        free(s);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    s->flags = flags;
    *stream = s;
    return CUDA_SUCCESS;
}

CUresult cuStreamCreate(CUstream *stream, unsigned int flags) { LOCKED(stream_create(stream, flags)); }

static CUresult stream_destroy(CUstream stream)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (is_default_stream(stream) || !list_remove(&streams, stream)) return fail(CUDA_ERROR_INVALID_HANDLE, "stream %p is not a live stream", (void *)stream);
    free(stream->captured.items);
    free(stream);
    return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream stream) { LOCKED(stream_destroy(stream)); }

static CUresult stream_synchronize(CUstream stream)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS || (result = check_stream(stream)) != CUDA_SUCCESS) return result;
    if (!is_default_stream(stream) && capturing(stream)) {
        stream->capture_status = CU_STREAM_CAPTURE_STATUS_INVALIDATED;
        return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "cuStreamSynchronize on a capturing stream; the capture is invalidated");
    }
    return CUDA_SUCCESS; /* the shim's work is already done */
}

CUresult cuStreamSynchronize(CUstream stream) { LOCKED(stream_synchronize(stream)); }

static CUresult begin_capture(CUstream stream, CUstreamCaptureMode mode)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS || (result = check_stream(stream)) != CUDA_SUCCESS) return result;
    if (mode < CU_STREAM_CAPTURE_MODE_GLOBAL || mode > CU_STREAM_CAPTURE_MODE_RELAXED) return CUDA_ERROR_INVALID_VALUE;
    if (is_default_stream(stream)) return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "the default stream cannot be captured");
    if (capturing(stream)) return fail(CUDA_ERROR_ILLEGAL_STATE, "the stream is already capturing");
    stream->capture_status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
    stream->capture_mode = mode;
    stream->capture_thread = pthread_self();
    stream->captured.count = 0;
    return CUDA_SUCCESS;
}

CUresult cuStreamBeginCapture_v2(CUstream stream, CUstreamCaptureMode mode) { LOCKED(begin_capture(stream, mode)); }

static CUresult end_capture(CUstream stream, CUgraph *graph)
{
    struct CUgraph_st *g;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS || (result = check_stream(stream)) != CUDA_SUCCESS) return result;
    if (graph == NULL) return CUDA_ERROR_INVALID_VALUE;
    *graph = NULL;
    if (is_default_stream(stream) || !capturing(stream)) return fail(CUDA_ERROR_ILLEGAL_STATE, "the stream is not capturing");
    if (stream->capture_mode != CU_STREAM_CAPTURE_MODE_RELAXED && !pthread_equal(stream->capture_thread, pthread_self()))
        return fail(CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD, "the capture was begun on another thread");
    if (stream->capture_status == CU_STREAM_CAPTURE_STATUS_INVALIDATED) {
        stream->capture_status = CU_STREAM_CAPTURE_STATUS_NONE;
        stream->captured.count = 0;
        return fail(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "the capture was invalidated by an earlier call");
    }
    stream->capture_status = CU_STREAM_CAPTURE_STATUS_NONE;
    if ((g = calloc(1, sizeof *g)) == NULL || !work_copy(&g->work, &stream->captured) || !list_add(&graphs, g)) {
        if (g != NULL) free(g->work.items);
        free(g);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    stream->captured.count = 0;
    *graph = g;
    return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) { LOCKED(end_capture(stream, graph)); }

static CUresult is_capturing(CUstream stream, CUstreamCaptureStatus *status)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS || (result = check_stream(stream)) != CUDA_SUCCESS) return result;
    if (status == NULL) return CUDA_ERROR_INVALID_VALUE;
    *status = is_default_stream(stream) ? CU_STREAM_CAPTURE_STATUS_NONE : stream->capture_status;
    return CUDA_SUCCESS;
}

CUresult cuStreamIsCapturing(CUstream stream, CUstreamCaptureStatus *status) { LOCKED(is_capturing(stream, status)); }

static CUresult graph_instantiate(CUgraphExec *exec, CUgraph graph)
{
    struct CUgraphExec_st *e;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (exec == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (list_index(&graphs, graph) < 0) return fail(CUDA_ERROR_INVALID_HANDLE, "graph %p is not a live graph", (void *)graph);
    if ((e = calloc(1, sizeof *e)) == NULL || !work_copy(&e->work, &graph->work) || !list_add(&graph_execs, e)) {
        if (e != NULL) free(e->work.items);
        free(e);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    *exec = e;
    return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph graph, unsigned long long flags)
{
    (void)flags;
    LOCKED(graph_instantiate(exec, graph));
}

static CUresult graph_launch(CUgraphExec exec, CUstream stream)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS || (result = check_stream(stream)) != CUDA_SUCCESS) return result;
    if (list_index(&graph_execs, exec) < 0) return fail(CUDA_ERROR_INVALID_HANDLE, "graph exec %p is not live", (void *)exec);
    if ((result = refuse_implicit(stream, "cuGraphLaunch")) != CUDA_SUCCESS) return result;
    if (!is_default_stream(stream) && capturing(stream)) return fail(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "the shim does not emulate cuGraphLaunch into a capturing stream");
    graph_launches++;
    for (int i = 0; i < exec->work.count; i++) {
        if ((result = execute(&exec->work.items[i])) != CUDA_SUCCESS) return result;
    }
    return CUDA_SUCCESS;
}

CUresult cuGraphLaunch(CUgraphExec exec, CUstream stream) { LOCKED(graph_launch(exec, stream)); }

static CUresult graph_exec_destroy(CUgraphExec exec)
{
    if (!list_remove(&graph_execs, exec)) return fail(CUDA_ERROR_INVALID_HANDLE, "graph exec %p is not live", (void *)exec);
    free(exec->work.items);
    free(exec);
    return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec exec) { LOCKED(graph_exec_destroy(exec)); }

static CUresult graph_destroy(CUgraph graph)
{
    if (!list_remove(&graphs, graph)) return fail(CUDA_ERROR_INVALID_HANDLE, "graph %p is not live", (void *)graph);
    free(graph->work.items);
    free(graph);
    return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph graph) { LOCKED(graph_destroy(graph)); }

/* What ptxas says when the JIT fails, for the error log the caller asked for. */
static void jit_error_log(CUresult result, const char *image, char *log, size_t size, size_t *written)
{
    char message[256];
    const char *version = strstr(image, ".version");
    int line = 1, major = 0, minor = 0;
    for (const char *c = image; version != NULL && c < version; c++) line += *c == '\n';
    if (version != NULL) sscanf(version, ".version %d.%d", &major, &minor);
    if (result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION && version != NULL)
        snprintf(message, sizeof message, "ptxas application ptx input, line %d; fatal   : Unsupported .version %d.%d; current version is '%d.%d'", line, major,
                 minor, minor > 0 ? major : major - 1, minor > 0 ? minor - 1 : 9);
    else if (result == CUDA_ERROR_INVALID_PTX)
        snprintf(message, sizeof message, "ptxas application ptx input, line %d; error   : Ptx assembly aborted due to errors", line);
    else
        snprintf(message, sizeof message, "%s", error_string(result) != NULL ? error_string(result) : "unknown error");
    *written = 0;
    if (log == NULL || size == 0) return;
    snprintf(log, size, "%s", message);
    *written = strlen(log);
}

static CUresult module_load(CUmodule *module, const void *image, unsigned int count, CUjit_option *options, void **values)
{
    struct CUmod_st *m;
    char *error_log = NULL;
    size_t error_log_size = 0, written = 0;
    int size_option = -1;
    CUresult result = need_context(), configured;
    if (result != CUDA_SUCCESS) return result;
    if (module == NULL || image == NULL || (count > 0 && (options == NULL || values == NULL))) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned int i = 0; i < count; i++) {
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER) error_log = values[i];
        if (options[i] == CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) {
            error_log_size = (size_t)(uintptr_t)values[i];
            size_option = (int)i;
        }
    }
    if (error_log != NULL && error_log_size > 0) error_log[0] = '\0';
    configured = (CUresult)env_long("CUDA_SHIM_MODULE_RESULT", 0);
    if (configured == CUDA_SUCCESS && (strstr(image, ".version") == NULL || strstr(image, ".target") == NULL)) configured = CUDA_ERROR_INVALID_IMAGE;
    if (configured != CUDA_SUCCESS) {
        jit_error_log(configured, image, error_log, error_log_size, &written);
        if (size_option >= 0) values[size_option] = (void *)(uintptr_t)written; /* OUT: bytes of log written */
        return fail(configured, "cuModuleLoadDataEx failed as configured (CUDA_SHIM_MODULE_RESULT) or the image is not PTX");
    }
    if (size_option >= 0) values[size_option] = (void *)(uintptr_t)0;
    if ((m = calloc(1, sizeof *m)) == NULL || (m->image = strdup(image)) == NULL || !list_add(&modules, m)) {
        if (m != NULL) free(m->image);
        free(m);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    *module = m;
    return CUDA_SUCCESS;
}

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int count, CUjit_option *options, void **values)
{
    LOCKED(module_load(module, image, count, options, values));
}

static CUresult module_unload(CUmodule module)
{
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (!list_remove(&modules, module)) return fail(CUDA_ERROR_INVALID_HANDLE, "module %p is not loaded", (void *)module);
    for (int k = 0; k < K_COUNT; k++) {
        for (int d = 0; d < DT_COUNT; d++) {
            if (module->functions[k][d] != NULL) {
                list_remove(&functions, module->functions[k][d]);
                free(module->functions[k][d]);
            }
        }
    }
    free(module->image);
    free(module);
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule module) { LOCKED(module_unload(module)); }

static CUresult module_get_function(CUfunction *function, CUmodule module, const char *name)
{
    char entry[96], declared[112];
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (function == NULL || name == NULL) return CUDA_ERROR_INVALID_VALUE;
    if (list_index(&modules, module) < 0) return fail(CUDA_ERROR_INVALID_HANDLE, "module %p is not loaded", (void *)module);
    for (int k = 0; k < K_COUNT; k++) {
        for (int d = 0; d < DT_COUNT; d++) {
            snprintf(entry, sizeof entry, "sgl_%s_%s", kernels[k].name, dtype_suffix[d]);
            snprintf(declared, sizeof declared, ".entry %s(", entry);
            if (strcmp(entry, name) != 0 || strstr(module->image, declared) == NULL) continue;
            if (module->functions[k][d] == NULL) {
                struct CUfunc_st *f = calloc(1, sizeof *f);
                if (f == NULL || !list_add(&functions, f)) {
                    free(f);
                    return CUDA_ERROR_OUT_OF_MEMORY;
                }
                f->module = module;
                f->kernel = k;
                f->dtype = d;
                module->functions[k][d] = f;
            }
            *function = module->functions[k][d];
            return CUDA_SUCCESS;
        }
    }
    return fail(CUDA_ERROR_NOT_FOUND, "%s is not an entry point of the module (or not one the shim emulates)", name);
}

CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) { LOCKED(module_get_function(function, module, name)); }

static CUresult launch_kernel(CUfunction f, const unsigned int grid[3], const unsigned int block[3], unsigned int shared_bytes, CUstream stream, void **params,
                              void **extra)
{
    Work w;
    const char *kinds;
    unsigned int expected_grid[3], expected_threads;
    CUresult result = need_context();
    if (result != CUDA_SUCCESS) return result;
    if (list_index(&functions, f) < 0) return fail(CUDA_ERROR_INVALID_HANDLE, "function %p is not live (was its module unloaded?)", (void *)f);
    if (params == NULL || extra != NULL) return fail(CUDA_ERROR_INVALID_VALUE, "the shim takes kernelParams only (no extra)");
    if (grid[0] == 0 || grid[1] == 0 || grid[2] == 0 || block[0] == 0 || block[1] == 0 || block[2] == 0)
        return fail(CUDA_ERROR_INVALID_VALUE, "a launch dimension is zero (empty work must not be launched)");
    if ((unsigned long long)block[0] * block[1] * block[2] > 1024) return fail(CUDA_ERROR_INVALID_VALUE, "more than 1024 threads per block");
    memset(&w, 0, sizeof w);
    w.kind = OP_KERNEL;
    w.function = f;
    kinds = kernels[f->kernel].params;
    /* kernelParams[i] points at argument i; the values are copied now, as a real launch (or capture) does. */
    for (int i = 0; kinds[i] != '\0'; i++) {
        if (params[i] == NULL) return fail(CUDA_ERROR_INVALID_VALUE, "kernelParams[%d] is null", i);
        if (kinds[i] == 'i') memcpy(&w.args[i].i32, params[i], 4);
        else if (kinds[i] == 'f') memcpy(&w.args[i].f32, params[i], 4);
        else memcpy(&w.args[i].u64, params[i], 8);
    }
    expected_shape(f->kernel, w.args, expected_grid, &expected_threads);
    if (shared_bytes != 0) return fail(CUDA_ERROR_INVALID_VALUE, "sgl_%s_%s: dynamic shared memory %u bytes, the ABI uses none", kernels[f->kernel].name, dtype_suffix[f->dtype], shared_bytes);
    if (memcmp(grid, expected_grid, sizeof expected_grid) != 0 || block[0] != expected_threads || block[1] != 1 || block[2] != 1)
        return fail(CUDA_ERROR_INVALID_VALUE, "sgl_%s_%s launched with grid (%u,%u,%u) block (%u,%u,%u); the ABI needs grid (%u,%u,%u) block (%u,1,1)",
                    kernels[f->kernel].name, dtype_suffix[f->dtype], grid[0], grid[1], grid[2], block[0], block[1], block[2], expected_grid[0],
                    expected_grid[1], expected_grid[2], expected_threads);
    memcpy(w.grid, grid, sizeof w.grid);
    memcpy(w.block, block, sizeof w.block);
    return submit(stream, &w, "cuLaunchKernel");
}

CUresult cuLaunchKernel(CUfunction f, unsigned int grid_x, unsigned int grid_y, unsigned int grid_z, unsigned int block_x, unsigned int block_y,
                        unsigned int block_z, unsigned int shared_bytes, CUstream stream, void **params, void **extra)
{
    unsigned int grid[3] = {grid_x, grid_y, grid_z}, block[3] = {block_x, block_y, block_z};
    LOCKED(launch_kernel(f, grid, block, shared_bytes, stream, params, extra));
}

/* ---------------------------------------------------------------------------------------------------
 * Counters for tests.
 */
static int locked_int(const int *value)
{
    int v;
    pthread_mutex_lock(&state_lock);
    v = *value;
    pthread_mutex_unlock(&state_lock);
    return v;
}

int cuShimLiveAllocations(void) { return locked_int(&device_blocks.count); }
int cuShimLivePinnedAllocations(void) { return locked_int(&pinned_blocks.count); }
int cuShimLiveStreams(void) { return locked_int(&streams.count); }
int cuShimLiveModules(void) { return locked_int(&modules.count); }
int cuShimLiveGraphs(void) { return locked_int(&graphs.count); }
int cuShimLiveGraphExecs(void) { return locked_int(&graph_execs.count); }
int cuShimAllocationsMade(void) { return locked_int(&allocations_made); }
int cuShimKernelLaunches(void) { return locked_int(&kernel_launches); }
int cuShimCapturedLaunches(void) { return locked_int(&captured_launches); }
int cuShimGraphLaunches(void) { return locked_int(&graph_launches); }
int cuShimKernelsRun(void) { return locked_int(&kernels_run); }

/* Executions of one entry point (for example "sgl_matmul_bf16"), direct or replayed; -1 for an unknown name. */
int cuShimKernelsRunNamed(const char *name)
{
    char entry[96];
    for (int k = 0; k < K_COUNT; k++) {
        for (int d = 0; d < DT_COUNT; d++) {
            snprintf(entry, sizeof entry, "sgl_%s_%s", kernels[k].name, dtype_suffix[d]);
            if (name != NULL && strcmp(entry, name) == 0) return locked_int(&kernels_run_by_entry[k][d]);
        }
    }
    return -1;
}

/* Why the last failing call failed, in words (the driver itself gives only the code). */
const char *cuShimLastMessage(void) { return last_message; }
