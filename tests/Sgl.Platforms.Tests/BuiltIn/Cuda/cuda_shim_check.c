/*
 * Checks cuda_shim.c's kernel emulations against hand-computed values, and its driver semantics (launch
 * shapes, capture and graphs, errors). Built and run by CudaShimEmulationTests:
 *   gcc -O1 -Wall -Wextra -o cuda_shim_check cuda_shim_check.c cuda_shim.c && ./cuda_shim_check
 * Prints one line per failed check and exits 1 if any failed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef void *Handle;

CUresult cuInit(unsigned int flags);
CUresult cuDeviceGet(int *device, int ordinal);
CUresult cuDevicePrimaryCtxRetain(Handle *context, int device);
CUresult cuDevicePrimaryCtxRelease_v2(int device);
CUresult cuCtxSetCurrent(Handle context);
CUresult cuCtxSynchronize(void);
CUresult cuDriverGetVersion(int *version);
CUresult cuDeviceGetAttribute(int *value, int attribute, int device);
CUresult cuGetErrorName(CUresult error, const char **name);
CUresult cuGetErrorString(CUresult error, const char **text);
CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr pointer);
CUresult cuMemAllocHost_v2(void **pointer, size_t bytes);
CUresult cuMemFreeHost(void *pointer);
CUresult cuMemcpyHtoD_v2(CUdeviceptr destination, const void *source, size_t bytes);
CUresult cuMemcpyDtoH_v2(void *destination, CUdeviceptr source, size_t bytes);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void *source, size_t bytes, Handle stream);
CUresult cuMemcpyDtoHAsync_v2(void *destination, CUdeviceptr source, size_t bytes, Handle stream);
CUresult cuMemsetD8_v2(CUdeviceptr destination, unsigned char value, size_t count);
CUresult cuStreamCreate(Handle *stream, unsigned int flags);
CUresult cuStreamDestroy_v2(Handle stream);
CUresult cuStreamSynchronize(Handle stream);
CUresult cuStreamBeginCapture_v2(Handle stream, int mode);
CUresult cuStreamEndCapture(Handle stream, Handle *graph);
CUresult cuStreamIsCapturing(Handle stream, int *status);
CUresult cuGraphInstantiateWithFlags(Handle *exec, Handle graph, unsigned long long flags);
CUresult cuGraphLaunch(Handle exec, Handle stream);
CUresult cuGraphExecDestroy(Handle exec);
CUresult cuGraphDestroy(Handle graph);
CUresult cuModuleLoadDataEx(Handle *module, const void *image, unsigned int count, int *options, void **values);
CUresult cuModuleUnload(Handle module);
CUresult cuModuleGetFunction(Handle *function, Handle module, const char *name);
CUresult cuLaunchKernel(Handle f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by, unsigned int bz, unsigned int shared,
                        Handle stream, void **params, void **extra);
int cuShimLiveAllocations(void);
int cuShimLivePinnedAllocations(void);
int cuShimLiveStreams(void);
int cuShimLiveModules(void);
int cuShimLiveGraphs(void);
int cuShimLiveGraphExecs(void);
int cuShimAllocationsMade(void);
int cuShimKernelLaunches(void);
int cuShimCapturedLaunches(void);
int cuShimGraphLaunches(void);
int cuShimKernelsRun(void);
int cuShimKernelsRunNamed(const char *name);
const char *cuShimLastMessage(void);

static int failures;
static Handle module;

#define CHECK(condition, ...)                                                                          \
    do {                                                                                               \
        if (!(condition)) {                                                                            \
            failures++;                                                                                \
            printf("FAIL line %d: %s: ", __LINE__, #condition);                                        \
            printf(__VA_ARGS__);                                                                       \
            printf(" (last shim message: %s)\n", cuShimLastMessage());                                 \
        }                                                                                              \
    } while (0)

#define OK(call) CHECK((call) == 0, "%s", #call)

static float bits_to_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static CUdeviceptr upload(const void *data, size_t bytes)
{
    CUdeviceptr p = 0;
    OK(cuMemAlloc_v2(&p, bytes));
    if (data != NULL) OK(cuMemcpyHtoD_v2(p, data, bytes));
    return p;
}

static void download(void *data, CUdeviceptr p, size_t bytes) { OK(cuMemcpyDtoH_v2(data, p, bytes)); }

static Handle function(const char *name)
{
    Handle f = NULL;
    CHECK(cuModuleGetFunction(&f, module, name) == 0, "%s", name);
    return f;
}

static CUresult launch(const char *name, unsigned int gx, unsigned int gy, unsigned int threads, void **params)
{
    return cuLaunchKernel(function(name), gx, gy, 1, threads, 1, 1, 0, NULL, params, NULL);
}

static void close_to(const float *got, const float *want, int count, float tolerance, const char *what)
{
    for (int i = 0; i < count; i++) {
        CHECK(fabsf(got[i] - want[i]) <= tolerance, "%s[%d] = %.9g, want %.9g", what, i, got[i], want[i]);
    }
}

static void check_fill_uniform(void)
{
    /* Expected bits from an independent exact-rational implementation of the spec's formula. */
    static const uint32_t seed0[6] = {0x3f444150, 0xbe0c3b10, 0xbf727746, 0x3f711770, 0xbf498cee, 0xbeb0d184};
    static const uint32_t seed12345[6] = {0x3f6d36b3, 0x3f70e2f9, 0x3f6c8544, 0x3f6f6acf, 0x3f802d17, 0x3f77a7fa};
    static const uint16_t seed_max_bf16[6] = {0x3cf7, 0x3d01, 0xbcb0, 0xbbb9, 0x3c81, 0x3ccc};
    float out[6];
    uint16_t out16[6];
    CUdeviceptr p = upload(NULL, sizeof out);
    long long count = 6;
    unsigned long long seed = 0;
    float low = -1.0f, high = 1.0f;
    void *params[] = {&p, &count, &seed, &low, &high};
    OK(launch("sgl_fill_uniform_f32", 1, 1, 256, params));
    download(out, p, sizeof out);
    for (int i = 0; i < 6; i++) CHECK(float_bits(out[i]) == seed0[i], "fill seed 0 [%d] = 0x%08x, want 0x%08x", i, float_bits(out[i]), seed0[i]);
    seed = 12345;
    low = 0.9f;
    high = 1.1f;
    OK(launch("sgl_fill_uniform_f32", 1, 1, 256, params));
    download(out, p, sizeof out);
    for (int i = 0; i < 6; i++) CHECK(float_bits(out[i]) == seed12345[i], "fill seed 12345 [%d] = 0x%08x, want 0x%08x", i, float_bits(out[i]), seed12345[i]);
    seed = ~0ull;
    low = -0.0383f;
    high = 0.0383f;
    OK(launch("sgl_fill_uniform_bf16", 1, 1, 256, params));
    download(out16, p, sizeof out16);
    for (int i = 0; i < 6; i++) CHECK(out16[i] == seed_max_bf16[i], "fill bf16 [%d] = 0x%04x, want 0x%04x", i, out16[i], seed_max_bf16[i]);
    /* A case where rounding the fused multiply-add twice (to double, then to float) is wrong: this seed gives
     * u = 3 * 2^-24 at i = 0, u * range = 16777227 * 2^-44 is a float midpoint, and low = -2^-100 puts the
     * exact result just below it; the correct float is 16777226 * 2^-44 (0x35800005), not 0x35800006. */
    seed = 0x80ab3c5f6d9b6b5cull;
    low = bits_to_float(0x8d800000);
    high = bits_to_float(0x40aaaab2);
    count = 1;
    OK(launch("sgl_fill_uniform_f32", 1, 1, 256, params));
    download(out, p, 4);
    CHECK(float_bits(out[0]) == 0x35800005, "fill with a double-rounding trap = 0x%08x, want 0x35800005", float_bits(out[0]));
    /* The mirror case: 16777221 * 2^-44 + 2^-100 must round up to 0x35800003. */
    low = bits_to_float(0x0d800000);
    high = bits_to_float(0x40aaaaae);
    OK(launch("sgl_fill_uniform_f32", 1, 1, 256, params));
    download(out, p, 4);
    CHECK(float_bits(out[0]) == 0x35800003, "fill with a double-rounding trap = 0x%08x, want 0x35800003", float_bits(out[0]));
    count = 70000LL * 256; /* the grid is capped at 65535 blocks */
    CHECK(launch("sgl_fill_uniform_f32", 65535, 1, 256, params) == 700, "a count past the buffer is an illegal address");
    CHECK(launch("sgl_fill_uniform_f32", 65536, 1, 256, params) == 1, "the grid is min(ceil(count/256), 65535)");
    OK(cuMemFree_v2(p));
}

static void check_gather(void)
{
    float table[6] = {1, 2, 3, 4, 5, 6}, out[8], want[8] = {5, 6, 0, 0, 0, 0, 1, 2};
    int ids[4] = {2, -1, 3, 0}, rows = 4, hidden = 2, vocab = 3;
    CUdeviceptr t = upload(table, sizeof table), i = upload(ids, sizeof ids), o = upload(NULL, sizeof out);
    void *params[] = {&t, &i, &o, &rows, &hidden, &vocab};
    OK(launch("sgl_embedding_gather_f32", 4, 1, 256, params));
    download(out, o, sizeof out);
    close_to(out, want, 8, 0, "gather");
    CHECK(launch("sgl_embedding_gather_f32", 4, 1, 128, params) == 1, "block 128 is refused");
    CHECK(launch("sgl_embedding_gather_f32", 3, 1, 256, params) == 1, "grid 3 for 4 rows is refused");
    vocab = 4; /* the table has 3 rows: a read past it */
    CHECK(launch("sgl_embedding_gather_f32", 4, 1, 256, params) == 700, "a table smaller than vocab x hidden is refused");
    OK(cuMemFree_v2(t));
    OK(cuMemFree_v2(i));
    OK(cuMemFree_v2(o));
}

static void check_rms_norm(void)
{
    float input[4] = {3, 4, 2, 3}, weight[2] = {1, 2}, residual[4] = {0, 0, 1, 1}, out[4], res[4];
    float inv = 1.0f / sqrtf(12.5f), want[4] = {3 * inv, 8 * inv, 3 * inv, 8 * inv};
    int rows = 2, hidden = 2;
    float eps = 0.0f;
    CUdeviceptr in = upload(input, sizeof input), w = upload(weight, sizeof weight), o = upload(NULL, sizeof out), r = upload(residual, sizeof residual), none = 0;
    void *plain[] = {&in, &w, &o, &none, &rows, &hidden, &eps};
    void *fused[] = {&in, &w, &o, &r, &rows, &hidden, &eps};
    OK(launch("sgl_rms_norm_f32", 2, 1, 256, plain));
    download(out, o, sizeof out);
    close_to(out, want, 2, 1e-6f, "rms_norm row 0");
    OK(launch("sgl_rms_norm_f32", 2, 1, 256, fused)); /* residual += input: row 0 [3,4], row 1 [3,4] */
    download(out, o, sizeof out);
    download(res, r, sizeof res);
    close_to(out, want, 4, 1e-6f, "rms_norm fused");
    {
        float want_res[4] = {3, 4, 3, 4};
        close_to(res, want_res, 4, 0, "rms_norm residual");
    }
    void *in_place[] = {&in, &w, &in, &none, &rows, &hidden, &eps};
    OK(launch("sgl_rms_norm_f32", 2, 1, 256, in_place));
    download(out, in, sizeof out);
    close_to(out, want, 2, 1e-6f, "rms_norm in place");
    OK(cuMemFree_v2(in));
    OK(cuMemFree_v2(w));
    OK(cuMemFree_v2(o));
    OK(cuMemFree_v2(r));
}

static void check_matmul(void)
{
    float x[6] = {1, 2, 3, -1, 0, 1}, w[12] = {1, 0, 0, 0, 1, 0, 1, 1, 1, 2, 2, 2}, y[8], want[8] = {1, 2, 6, 12, -1, 0, 0, 0};
    int rows = 2, n = 4, k = 3;
    CUdeviceptr px = upload(x, sizeof x), pw = upload(w, sizeof w), py = upload(NULL, sizeof y);
    void *params[] = {&px, &pw, &py, &rows, &n, &k};
    OK(launch("sgl_matmul_f32", 1, 1, 256, params));
    download(y, py, sizeof y);
    close_to(y, want, 8, 0, "matmul");
    n = 9;
    CHECK(launch("sgl_matmul_f32", 1, 1, 256, params) == 1, "n 9 needs 2 blocks");
    CHECK(launch("sgl_matmul_f32", 2, 1, 256, params) == 700, "a weight of 4 rows read as 9 is refused");
    OK(cuMemFree_v2(px));
    OK(cuMemFree_v2(pw));
    OK(cuMemFree_v2(py));

    /* bf16: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 and rounds to even (1.0); 1 + 3 * 2^-9 rounds up. */
    {
        uint16_t bx[2] = {0x3f80, 0x3f80}, bw[4] = {0x3f80, 0x3b80 /* 2^-8 */, 0x3f80, 0x3bc0 /* 3 * 2^-9 */}, by[2];
        CUdeviceptr qx = upload(bx, sizeof bx), qw = upload(bw, sizeof bw), qy = upload(NULL, sizeof by);
        int r1 = 1, n2 = 2, k2 = 2;
        void *p16[] = {&qx, &qw, &qy, &r1, &n2, &k2};
        OK(launch("sgl_matmul_bf16", 1, 1, 256, p16));
        download(by, qy, sizeof by);
        CHECK(by[0] == 0x3f80 && by[1] == 0x3f81, "bf16 rounding: 0x%04x 0x%04x, want 0x3f80 0x3f81", by[0], by[1]);
        OK(cuMemFree_v2(qx));
        OK(cuMemFree_v2(qw));
        OK(cuMemFree_v2(qy));
    }
}

/* f16 rounding through Add: Output = scale_a * 1.0 + 0 * b. */
static void check_half_rounding(void)
{
    static const struct {
        uint32_t scale_bits;
        uint16_t want;
    } cases[] = {
        {0x3f801000, 0x3c00}, /* 1 + 2^-11: tie, to even */
        {0x3f801800, 0x3c01}, /* 1 + 3 * 2^-12: up */
        {0x477fe000, 0x7bff}, /* 65504: the largest half */
        {0x477ff000, 0x7c00}, /* 65520: rounds to infinity */
        {0x33000000, 0x0000}, /* 2^-25: tie between 0 and the smallest subnormal, to even */
        {0x33400000, 0x0001}, /* 1.5 * 2^-25: up to 2^-24 */
        {0x33c00000, 0x0002}, /* 1.5 * 2^-24: tie, to even (2) */
        {0x34200000, 0x0002}, /* 2.5 * 2^-24: tie, to even (2) */
        {0xb8800000, 0x8400}, /* -2^-14: the smallest normal */
        {0x387fe000, 0x0400}, /* just under 2^-14: rounds up to the smallest normal */
    };
    uint16_t one = 0x3c00, out;
    CUdeviceptr a = upload(&one, 2), o = upload(NULL, 2);
    int rows = 1, cols = 1, b_rows = 1;
    float scale_a, scale_b = 0.0f;
    void *params[] = {&a, &a, &o, &rows, &cols, &b_rows, &scale_a, &scale_b};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scale_a = bits_to_float(cases[i].scale_bits);
        OK(launch("sgl_add_f16", 1, 1, 256, params));
        download(&out, o, 2);
        CHECK(out == cases[i].want, "f16 of %.9g = 0x%04x, want 0x%04x", scale_a, out, cases[i].want);
    }
    one = 0x3f80; /* bf16 1.0 */
    OK(cuMemcpyHtoD_v2(a, &one, 2));
    scale_a = bits_to_float(0x7fc00000);
    OK(launch("sgl_add_bf16", 1, 1, 256, params));
    download(&out, o, 2);
    CHECK(out == 0x7fc0, "bf16 NaN = 0x%04x, want 0x7fc0", out);
    scale_a = bits_to_float(0x7f7fffff); /* the largest float rounds up to bf16 infinity */
    OK(launch("sgl_add_bf16", 1, 1, 256, params));
    download(&out, o, 2);
    CHECK(out == 0x7f80, "bf16 of FLT_MAX = 0x%04x, want 0x7f80", out);
    OK(cuMemFree_v2(a));
    OK(cuMemFree_v2(o));
    /* f16 subnormal input widens exactly: 0x0001 * 2^24 = 1. */
    {
        uint16_t x = 0x0001, w = 0x6c00 /* 4096 */, y;
        CUdeviceptr px = upload(&x, 2), pw = upload(&w, 2), py = upload(NULL, 2);
        int one_row = 1;
        void *mm[] = {&px, &pw, &py, &one_row, &one_row, &one_row};
        OK(launch("sgl_matmul_f16", 1, 1, 256, mm));
        download(&y, py, 2);
        CHECK(y == 0x0c00, "2^-24 * 4096 = 2^-12 = 0x0c00, got 0x%04x", y);
        OK(cuMemFree_v2(px));
        OK(cuMemFree_v2(pw));
        OK(cuMemFree_v2(py));
    }
}

static void check_rotary(void)
{
    /* 3 rows of width 6 (one head of 4, then 2 untouched); P = 2 positions of [cos0 cos1 sin0 sin1]. */
    float x[18] = {1, 0, 0, 1, 7, 8, 1, 0, 0, 1, 7, 8, 1, 2, 3, 4, 5, 6}, table[8] = {1, 1, 0, 0, 0, 0.5f, 1, 0.25f}, out[18];
    float want[18] = {1, 0, 0, 1, 7, 8, 0, 1, -0.25f, 0.5f, 7, 8, 1, 2, 3, 4, 5, 6};
    int positions[3] = {0, 1, 2}, rows = 3, stride = 6, d = 4, heads = 1, max_positions = 2;
    CUdeviceptr px = upload(x, sizeof x), pp = upload(positions, sizeof positions), pt = upload(table, sizeof table);
    void *params[] = {&px, &pp, &pt, &rows, &stride, &d, &heads, &max_positions};
    OK(launch("sgl_rotary_f32", 3, 1, 128, params));
    download(out, px, sizeof out);
    close_to(out, want, 18, 1e-7f, "rotary");
    d = 3; /* odd: the kernel refuses the shape and writes nothing */
    OK(launch("sgl_rotary_f32", 3, 1, 128, params));
    download(out, px, sizeof out);
    close_to(out, want, 18, 0, "rotary with an odd head_dim");
    OK(cuMemFree_v2(px));
    OK(cuMemFree_v2(pp));
    OK(cuMemFree_v2(pt));
}

static void check_silu_mul(void)
{
    float gate_up[6] = {0, 1, -100, 3, 2, 1}, out[3], want[3] = {0, 2 * 0.7310585786f, 0};
    int rows = 1, f = 3;
    CUdeviceptr g = upload(gate_up, sizeof gate_up), o = upload(NULL, sizeof out);
    void *params[] = {&g, &o, &rows, &f};
    OK(launch("sgl_silu_mul_f32", 1, 1, 256, params));
    download(out, o, sizeof out);
    close_to(out, want, 3, 1e-6f, "silu_mul");
    CHECK(out[2] <= 0.0f && out[2] > -1e-30f, "silu(-100) is a tiny non-positive number, not NaN: %g", out[2]);
    OK(cuMemFree_v2(g));
    OK(cuMemFree_v2(o));
}

static void check_add(void)
{
    float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40}, out[4], broadcast[4] = {7, 14, 11, 18}, full[4] = {7, 14, 21, 28};
    int rows = 2, cols = 2, b_rows = 1;
    float scale_a = 2.0f, scale_b = 0.5f;
    CUdeviceptr pa = upload(a, sizeof a), pb = upload(b, sizeof b), po = upload(NULL, sizeof out);
    void *params[] = {&pa, &pb, &po, &rows, &cols, &b_rows, &scale_a, &scale_b};
    OK(launch("sgl_add_f32", 1, 1, 256, params));
    download(out, po, sizeof out);
    close_to(out, broadcast, 4, 0, "add broadcast");
    b_rows = 2;
    void *aliased[] = {&pa, &pb, &pa, &rows, &cols, &b_rows, &scale_a, &scale_b};
    OK(launch("sgl_add_f32", 1, 1, 256, aliased));
    download(out, pa, sizeof out);
    close_to(out, full, 4, 0, "add into a");
    OK(cuMemFree_v2(pa));
    OK(cuMemFree_v2(pb));
    OK(cuMemFree_v2(po));
}

/* Hq = 2, Hkv = 1, D = 2: a Qkv row is [q0 (2) | q1 (2) | k (2) | v (2)]. */
static void check_kv_write_and_paged_attention(void)
{
    float qkv[4 * 8] = {
        1, 0, 0, 1, 0, 0, 4, 8,           /* token 0: key [0 0], value [4 8] */
        1, 0, 0, 1, 1.0986123f, 0, 0, 4,  /* token 1: key [ln 3, 0], value [0 4] */
        0, 0, 0, 0, 9, 9, 9, 9,           /* token 2: position outside the table: skipped */
        0, 0, 0, 0, 9, 9, 9, 9,           /* token 3: its slot is outside the cache: skipped */
    };
    float k_cache[4 * 2], v_cache[4 * 2], out[4 * 4];
    int slots[5] = {3, 0, -1, 1, 7}, positions[4] = {0, 1, 5, 4};
    int rows = 4, q_heads = 2, kv_heads = 1, head_dim = 2, table_rows = 1, table_cols = 5, capacity = 4;
    float scale = 1.0f;
    CUdeviceptr pq = upload(qkv, sizeof qkv), pk = upload(NULL, sizeof k_cache), pv = upload(NULL, sizeof v_cache), ps = upload(slots, sizeof slots),
                pp = upload(positions, sizeof positions), po = upload(NULL, sizeof out);
    void *write[] = {&pq, &pk, &pv, &ps, &pp, &rows, &q_heads, &kv_heads, &head_dim, &table_rows, &table_cols, &capacity};
    OK(cuMemsetD8_v2(pk, 0, sizeof k_cache));
    OK(cuMemsetD8_v2(pv, 0, sizeof v_cache));
    OK(launch("sgl_kv_write_f32", 4, 1, 128, write));
    download(k_cache, pk, sizeof k_cache);
    download(v_cache, pv, sizeof v_cache);
    {
        float want_k[8] = {1.0986123f, 0, 0, 0, 0, 0, 0, 0}, want_v[8] = {0, 4, 0, 0, 0, 0, 4, 8};
        close_to(k_cache, want_k, 8, 0, "k_cache");
        close_to(v_cache, want_v, 8, 0, "v_cache");
    }
    /* Attention: token 0 sees key 0 only (out = v0); token 1 sees keys 0..1 with scores [0, ln 3] for q [1 0]
     * (weights 1/4, 3/4: [1, 5]) and scores [0, 0] for q [0 1] (weights 1/2: [2, 6]); token 2's position is
     * outside the table (zeros); token 3 (position 4) sees slots 3, 0, -1, 1, 7: the last two absent... */
    void *attend[] = {&pq, &pk, &pv, &ps, &pp, &po, &rows, &q_heads, &kv_heads, &head_dim, &table_rows, &table_cols, &capacity, &scale};
    OK(launch("sgl_paged_attention_f32", 2, 4, 128, attend));
    download(out, po, sizeof out);
    {
        /* token 3, q = [0 0]: scores all 0 over the present slots 3, 0, 1 (slot -1 and 7 contribute nothing):
         * values [4 8], [0 4], [0 0] -> mean [4/3, 4]. */
        float want[16] = {4, 8, 4, 8, 1, 5, 2, 6, 0, 0, 0, 0, 4.0f / 3, 4, 4.0f / 3, 4};
        close_to(out, want, 16, 1e-5f, "paged attention");
    }
    CHECK(launch("sgl_paged_attention_f32", 4, 2, 128, attend) == 1, "the grid is (q_heads, rows), not (rows, q_heads)");
    OK(cuMemFree_v2(pq));
    OK(cuMemFree_v2(pk));
    OK(cuMemFree_v2(pv));
    OK(cuMemFree_v2(ps));
    OK(cuMemFree_v2(pp));
    OK(cuMemFree_v2(po));
}

static void check_attention(void)
{
    float q[2] = {1, 0}, k[2] = {0, 1.0986123f}, v[2] = {4, 0}, out[2], want[2] = {1, 2};
    int tokens = 2, heads = 1, d = 1;
    float scale = 1.0f;
    CUdeviceptr pq = upload(q, 8), pk = upload(k, 8), pv = upload(v, 8), po = upload(NULL, 8);
    void *params[] = {&pq, &pk, &pv, &po, &tokens, &heads, &d, &scale};
    OK(launch("sgl_attention_f32", 1, 2, 128, params));
    download(out, po, sizeof out);
    close_to(out, want, 2, 1e-5f, "dense attention");
    scale = 100.0f; /* scores [0, 109.9] for token 0: e^109.9 overflows float unless the maximum is subtracted */
    OK(launch("sgl_attention_f32", 1, 2, 128, params));
    download(out, po, sizeof out);
    want[0] = 0.0f;
    close_to(out, want, 2, 1e-5f, "dense attention with large scores");
    OK(cuMemFree_v2(pq));
    OK(cuMemFree_v2(pk));
    OK(cuMemFree_v2(pv));
    OK(cuMemFree_v2(po));
}

static void check_argmax(void)
{
    float inf = bits_to_float(0x7f800000), nan = bits_to_float(0x7fc00000);
    float logits[12] = {1, 3, 3, 2, -inf, -inf, -inf, -inf, 1, nan, 5, nan};
    uint16_t logits16[3] = {0x3f80, 0x4000, 0x4000};
    int out[3], rows = 3, vocab = 4, want[3] = {1, 0, 1};
    CUdeviceptr pl = upload(logits, sizeof logits), po = upload(NULL, sizeof out), pl16 = upload(logits16, sizeof logits16);
    void *params[] = {&pl, &po, &rows, &vocab};
    OK(launch("sgl_argmax_f32", 3, 1, 1024, params));
    download(out, po, sizeof out);
    for (int i = 0; i < 3; i++) CHECK(out[i] == want[i], "argmax row %d = %d, want %d", i, out[i], want[i]);
    rows = 1;
    vocab = 3;
    void *params16[] = {&pl16, &po, &rows, &vocab};
    OK(launch("sgl_argmax_bf16", 1, 1, 1024, params16));
    download(out, po, 4);
    CHECK(out[0] == 1, "bf16 argmax = %d, want 1", out[0]);
    OK(cuMemFree_v2(pl));
    OK(cuMemFree_v2(po));
    OK(cuMemFree_v2(pl16));
}

/* Capture: recorded, not run; replay runs the record with the captured parameters and current memory. */
static void check_capture_and_graphs(void)
{
    Handle stream = NULL, graph = NULL, exec = NULL;
    float *pinned = NULL, scale_a = 1.0f, scale_b = 1.0f;
    int rows = 1, cols = 4, b_rows = 1, status = -1;
    float x[4] = {1, 2, 3, 4}, pageable[4];
    CUdeviceptr a = upload(x, sizeof x), b = upload(x, sizeof x);
    void *params[] = {&a, &b, &a, &rows, &cols, &b_rows, &scale_a, &scale_b}; /* a += b */
    int launches = cuShimKernelLaunches(), runs = cuShimKernelsRunNamed("sgl_add_f32");
    OK(cuStreamCreate(&stream, 0));
    OK(cuMemAllocHost_v2((void **)&pinned, sizeof x));
    CHECK(cuShimLiveStreams() == 1 && cuShimLivePinnedAllocations() == 1, "one stream and one pinned buffer");

    OK(cuStreamBeginCapture_v2(stream, 0));
    OK(cuStreamIsCapturing(stream, &status));
    CHECK(status == 1, "capturing: status %d", status);
    OK(cuLaunchKernel(function("sgl_add_f32"), 1, 1, 1, 256, 1, 1, 0, stream, params, NULL));
    OK(cuMemcpyDtoHAsync_v2(pinned, a, sizeof x, stream));
    OK(cuStreamEndCapture(stream, &graph));
    CHECK(cuShimKernelLaunches() == launches && cuShimCapturedLaunches() == 1, "the captured launch did not run");
    OK(cuGraphInstantiateWithFlags(&exec, graph, 0));
    OK(cuGraphDestroy(graph)); /* the exec outlives its graph */
    rows = 999;                /* parameters were copied at capture */
    OK(cuGraphLaunch(exec, stream));
    OK(cuGraphLaunch(exec, stream));
    OK(cuStreamSynchronize(stream));
    rows = 1;
    {
        float want[4] = {3, 6, 9, 12};
        close_to(pinned, want, 4, 0, "two replays of a += b");
    }
    CHECK(cuShimGraphLaunches() == 2 && cuShimKernelsRunNamed("sgl_add_f32") == runs + 2, "two graph launches ran the kernel twice");

    /* Unsafe calls invalidate a global-mode capture. */
    OK(cuStreamBeginCapture_v2(stream, 0));
    CHECK(cuMemcpyDtoH_v2(pageable, a, sizeof x) == 900, "a synchronous copy during capture");
    OK(cuStreamIsCapturing(stream, &status));
    CHECK(status == 2, "invalidated: status %d", status);
    CHECK(cuLaunchKernel(function("sgl_add_f32"), 1, 1, 1, 256, 1, 1, 0, stream, params, NULL) == 901, "work on an invalidated capture");
    CHECK(cuStreamEndCapture(stream, &graph) == 901 && graph == NULL, "ending an invalidated capture");
    OK(cuStreamBeginCapture_v2(stream, 0));
    CHECK(cuStreamSynchronize(stream) == 900, "cuStreamSynchronize during capture");
    CHECK(cuStreamEndCapture(stream, &graph) == 901, "ending after a synchronize");
    OK(cuStreamBeginCapture_v2(stream, 0));
    CHECK(cuMemcpyDtoHAsync_v2(pageable, a, sizeof x, stream) == 900, "pageable memory cannot be captured");
    CHECK(cuStreamEndCapture(stream, &graph) == 901, "ending after a pageable copy");
    OK(cuStreamBeginCapture_v2(stream, 2));
    OK(cuMemcpyDtoH_v2(pageable, a, sizeof x)); /* relaxed mode allows it */
    CHECK(cuLaunchKernel(function("sgl_add_f32"), 1, 1, 1, 256, 1, 1, 0, NULL, params, NULL) == 906, "the legacy stream during a blocking capture");
    CHECK(cuStreamEndCapture(stream, &graph) == 901, "ending after an implicit dependency");
    CHECK(cuStreamEndCapture(stream, &graph) == 401, "ending a capture that is not under way");
    CHECK(cuStreamBeginCapture_v2(NULL, 0) == 900, "the default stream cannot capture");

    OK(cuGraphExecDestroy(exec));
    OK(cuMemFreeHost(pinned));
    OK(cuStreamDestroy_v2(stream));
    CHECK(cuShimLiveStreams() == 0 && cuShimLivePinnedAllocations() == 0 && cuShimLiveGraphs() == 0 && cuShimLiveGraphExecs() == 0,
          "everything released: streams %d pinned %d graphs %d execs %d", cuShimLiveStreams(), cuShimLivePinnedAllocations(), cuShimLiveGraphs(),
          cuShimLiveGraphExecs());
    OK(cuMemFree_v2(a));
    OK(cuMemFree_v2(b));
}

static void check_driver(void)
{
    int value = 0;
    const char *text = NULL;
    char log[256] = "untouched";
    int options[2] = {5, 6};
    void *values[2] = {log, (void *)(uintptr_t)sizeof log};
    Handle bad = NULL, f = NULL;
    OK(cuDriverGetVersion(&value));
    CHECK(value == 12080, "driver version %d", value);
    OK(cuDeviceGetAttribute(&value, 75, 0));
    CHECK(value == 9, "compute capability major %d", value);
    OK(cuDeviceGetAttribute(&value, 16, 0));
    CHECK(value == 132, "SM count %d", value);
    CHECK(cuModuleGetFunction(&f, module, "sgl_nothing_f32") == 500, "an unknown entry point is CUDA_ERROR_NOT_FOUND");
    OK(cuGetErrorName(900, &text));
    CHECK(text != NULL && strcmp(text, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED") == 0, "error name %s", text);
    OK(cuGetErrorString(222, &text));
    CHECK(text != NULL && strstr(text, "PTX") != NULL, "error string %s", text);
    CHECK(cuGetErrorString(12345, &text) == 1 && text == NULL, "an unknown code has no string");

    setenv("CUDA_SHIM_MODULE_RESULT", "222", 1);
    CHECK(cuModuleLoadDataEx(&bad, "// x\n.version 8.7\n.target sm_90\n", 2, options, values) == 222, "configured module failure");
    CHECK(strstr(log, "Unsupported .version 8.7") != NULL && strstr(log, "line 2") != NULL, "error log: %s", log);
    CHECK((size_t)(uintptr_t)values[1] == strlen(log), "log size out %zu", (size_t)(uintptr_t)values[1]);
    unsetenv("CUDA_SHIM_MODULE_RESULT");
    CHECK(cuModuleLoadDataEx(&bad, "not ptx", 0, NULL, NULL) == 200, "an image that is not PTX");

    {
        int made = cuShimAllocationsMade();
        char limit[32];
        CUdeviceptr p1 = 0, p2 = 0;
        snprintf(limit, sizeof limit, "%d", made + 1);
        setenv("CUDA_SHIM_FAIL_ALLOC_AFTER", limit, 1);
        OK(cuMemAlloc_v2(&p1, 64));
        CHECK(cuMemAlloc_v2(&p2, 64) == 2, "the allocation after the limit fails");
        unsetenv("CUDA_SHIM_FAIL_ALLOC_AFTER");
        OK(cuMemFree_v2(p1));
        CHECK(cuMemFree_v2(p1) == 1, "a double free is refused");
        CHECK((p1 & 255) == 0, "allocations are 256-byte aligned");
    }
}

int main(void)
{
    int device = 0;
    Handle context = NULL;
    /* Every entry point the emulation knows, declared the way clang's PTX declares them. */
    static const char *const ops[] = {"embedding_gather", "rms_norm", "matmul", "rotary", "silu_mul", "add", "kv_write", "paged_attention", "attention", "argmax", "fill_uniform"};
    static const char *const types[] = {"f32", "f16", "bf16"};
    char image[8192] = "//\n.version 6.4\n.target sm_70\n.address_size 64\n";
    for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
        for (size_t t = 0; t < 3; t++) {
            char line[96];
            snprintf(line, sizeof line, ".visible .entry sgl_%s_%s(\n)\n{\n}\n", ops[o], types[t]);
            strcat(image, line);
        }
    }
    OK(cuInit(0));
    OK(cuDeviceGet(&device, 0));
    OK(cuDevicePrimaryCtxRetain(&context, device));
    OK(cuCtxSetCurrent(context));
    OK(cuModuleLoadDataEx(&module, image, 0, NULL, NULL));

    check_fill_uniform();
    check_gather();
    check_rms_norm();
    check_matmul();
    check_half_rounding();
    check_rotary();
    check_silu_mul();
    check_add();
    check_kv_write_and_paged_attention();
    check_attention();
    check_argmax();
    check_capture_and_graphs();
    check_driver();

    {
        Handle f = function("sgl_add_f32");
        OK(cuModuleUnload(module));
        CHECK(cuLaunchKernel(f, 1, 1, 1, 256, 1, 1, 0, NULL, (void *[]){NULL}, NULL) == 400, "a function of an unloaded module");
    }
    CHECK(cuShimLiveModules() == 0 && cuShimLiveAllocations() == 0, "modules %d allocations %d left", cuShimLiveModules(), cuShimLiveAllocations());
    OK(cuCtxSynchronize());
    OK(cuDevicePrimaryCtxRelease_v2(device));
    printf("%s: %d checks failed\n", failures == 0 ? "ok" : "FAILED", failures);
    return failures == 0 ? 0 : 1;
}
