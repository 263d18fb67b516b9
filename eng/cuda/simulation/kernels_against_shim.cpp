// Runs the kernel sources (in the host simulation, simt.h) and the libcuda shim's C emulations of the same
// kernels on the same inputs, and compares: two independent implementations of the device-operations
// spec. Shapes cover the vectorized and scalar paths, tails, several key tiles, invalid ids, positions
// and slots. Built and run by eng/cuda/simulate.sh; exits 1 when any comparison fails.
#include "sgl_kernels.cu" // the translated sources (translate_inline_ptx.py)
#include "simt.h"
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
extern "C" {
typedef unsigned long long CUdeviceptr;
int cuInit(unsigned);
int cuDeviceGet(int *, int);
int cuDevicePrimaryCtxRetain(void **, int);
int cuCtxSetCurrent(void *);
int cuMemAlloc_v2(CUdeviceptr *, size_t);
int cuModuleLoadDataEx(void **, const void *, unsigned, int *, void **);
int cuModuleGetFunction(void **, void *, const char *);
int cuLaunchKernel(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **, void **);
const char *cuShimLastMessage(void);
}
static void *module;
static int failures, checks;
static std::mt19937_64 rng(42);
static const char *suffix[3] = {"f32", "f16", "bf16"};
static size_t esize(int dt) {
    return dt == 0 ? 4 : 2;
}
static float widen(const void *p, long long i, int dt) {
    if (dt == 0) return ((const float *)p)[i];
    unsigned short h = ((const unsigned short *)p)[i];
    return dt == 1 ? simt_half_to_float(h) : simt_uint_as_float((unsigned)h << 16);
}
static unsigned short bf16(float f) {
    unsigned u = simt_float_as_uint(f);
    return (unsigned short)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
static void put(void *p, long long i, int dt, float v) {
    if (dt == 0)
        ((float *)p)[i] = v;
    else
        ((unsigned short *)p)[i] = dt == 1 ? simt_float_to_half(v) : bf16(v);
}
struct Buf {
    unsigned char *p;
    size_t bytes;
};
static Buf alloc(size_t bytes) {
    CUdeviceptr d = 0;
    if (cuMemAlloc_v2(&d, bytes + 64) != 0) {
        puts("alloc failed");
        exit(2);
    }
    return {(unsigned char *)d, bytes};
}
static Buf random_buf(long long n, int dt, float lo = -1, float hi = 1) {
    Buf b = alloc(n * esize(dt));
    std::uniform_real_distribution<float> u(lo, hi);
    for (long long i = 0; i < n; i++) put(b.p, i, dt, u(rng));
    return b;
}
static Buf clone(const Buf &b) {
    Buf c = alloc(b.bytes);
    memcpy(c.p, b.p, b.bytes);
    return c;
}
static void shim(const std::string &name, unsigned gx, unsigned gy, unsigned threads, std::vector<void *> params) {
    void *f = nullptr;
    if (cuModuleGetFunction(&f, module, name.c_str()) != 0) {
        printf("no function %s\n", name.c_str());
        exit(2);
    }
    int r = cuLaunchKernel(f, gx, gy, 1, threads, 1, 1, 0, nullptr, params.data(), nullptr);
    if (r != 0) {
        printf("shim launch %s failed %d: %s\n", name.c_str(), r, cuShimLastMessage());
        failures++;
    }
}
static void compare(const char *what, const Buf &got, const Buf &want, long long n, int dt, double rel, double abs_scale, long long offset = 0) {
    double scale = 0;
    for (long long i = 0; i < n; i++) scale = std::max(scale, (double)std::fabs(widen(want.p, offset + i, dt)));
    int bad = 0;
    for (long long i = 0; i < n; i++) {
        double a = widen(got.p, offset + i, dt), b = widen(want.p, offset + i, dt);
        bool ok = (std::isnan(a) && std::isnan(b)) || std::fabs(a - b) <= rel * std::fabs(b) + abs_scale * (scale + 1e-30) + 1e-30;
        if (!ok && bad++ < 5) printf("  %s [%lld]: kernel %.9g shim %.9g\n", what, i, a, b);
    }
    checks++;
    if (bad) {
        failures++;
        printf("FAIL %s (%s): %d of %lld differ\n", what, suffix[dt], bad, n);
    }
}
static void compare_exact(const char *what, const Buf &got, const Buf &want) {
    checks++;
    if (memcmp(got.p, want.p, want.bytes) != 0) {
        failures++;
        printf("FAIL %s: bytes differ\n", what);
    }
}
static double rel_tol(int dt) {
    return dt == 0 ? 2e-5 : dt == 1 ? 2e-3 : 1.6e-2;
}
static double abs_tol(int dt) {
    return dt == 0 ? 2e-5 : dt == 1 ? 1e-3 : 8e-3;
}

template <class F> static void sim(unsigned gx, unsigned gy, unsigned threads, F f) {
    std::function<void()> body = f;
    simt_launch(gx, gy, threads, body);
}

static void test_matmul(int dt, int rows, int n, int k, int misalign) {
    Buf x = random_buf((long long)rows * k + misalign, dt), w = random_buf((long long)n * k + misalign, dt);
    Buf ys = alloc((size_t)rows * n * esize(dt)), yk = alloc((size_t)rows * n * esize(dt));
    unsigned char *xp = x.p + misalign * esize(dt);
    unsigned char *wp = w.p + misalign * esize(dt);
    CUdeviceptr dx = (CUdeviceptr)xp, dw = (CUdeviceptr)wp, dy = (CUdeviceptr)ys.p;
    unsigned grid = (n + 7) / 8;
    shim(std::string("sgl_matmul_") + suffix[dt], grid, 1, 256, {&dx, &dw, &dy, &rows, &n, &k});
    sim(grid, 1, 256, [&] {
        if (dt == 0)
            sgl_matmul_f32((float *)xp, (float *)wp, (float *)yk.p, rows, n, k);
        else if (dt == 1)
            sgl_matmul_f16((unsigned short *)xp, (unsigned short *)wp, (unsigned short *)yk.p, rows, n, k);
        else
            sgl_matmul_bf16((unsigned short *)xp, (unsigned short *)wp, (unsigned short *)yk.p, rows, n, k);
    });
    char what[96];
    snprintf(what, sizeof what, "matmul rows %d n %d k %d misalign %d", rows, n, k, misalign);
    compare(what, yk, ys, (long long)rows * n, dt, rel_tol(dt), dt == 0 ? 1e-5 : abs_tol(dt));
}

#define HP(p) ((unsigned short *)(p)) // 16-bit element pointers

static void test_rms(int dt, int rows, int hidden, bool residual, bool in_place) {
    Buf in = random_buf((long long)rows * hidden, dt), wt = random_buf(hidden, dt, 0.9f, 1.1f), res = random_buf((long long)rows * hidden, dt);
    Buf in2 = clone(in), res2 = clone(res), outs = alloc(in.bytes), outk = alloc(in.bytes);
    float eps = 1e-5f;
    CUdeviceptr di = (CUdeviceptr)in.p, dwt = (CUdeviceptr)wt.p, dout = in_place ? di : (CUdeviceptr)outs.p, dres = residual ? (CUdeviceptr)res.p : 0;
    shim(std::string("sgl_rms_norm_") + suffix[dt], rows, 1, 256, {&di, &dwt, &dout, &dres, &rows, &hidden, &eps});
    unsigned char *ko = in_place ? in2.p : outk.p;
    unsigned char *kr = residual ? res2.p : nullptr;
    sim(rows, 1, 256, [&] {
        if (dt == 0)
            sgl_rms_norm_f32((float *)in2.p, (float *)wt.p, (float *)ko, (float *)kr, rows, hidden, eps);
        else if (dt == 1)
            sgl_rms_norm_f16(HP(in2.p), HP(wt.p), HP(ko), HP(kr), rows, hidden, eps);
        else
            sgl_rms_norm_bf16(HP(in2.p), HP(wt.p), HP(ko), HP(kr), rows, hidden, eps);
    });
    char what[96];
    snprintf(what, sizeof what, "rms_norm rows %d hidden %d residual %d in place %d", rows, hidden, residual, in_place);
    compare(what, in_place ? in2 : outk, in_place ? in : outs, (long long)rows * hidden, dt, rel_tol(dt), abs_tol(dt) * 0.1);
    if (residual) compare_exact("rms_norm residual", res2, res);
}

static void test_gather(int dt) {
    int rows = 5, hidden = 300, vocab = 7;
    int ids_h[5] = {3, -1, 7, 0, 6};
    Buf table = random_buf((long long)vocab * hidden, dt), ids = alloc(20);
    memcpy(ids.p, ids_h, 20);
    Buf outs = alloc((size_t)rows * hidden * esize(dt)), outk = alloc(outs.bytes);
    memset(outk.p, 0x5a, outk.bytes);
    CUdeviceptr dt_ = (CUdeviceptr)table.p, di = (CUdeviceptr)ids.p, dout = (CUdeviceptr)outs.p;
    shim(std::string("sgl_embedding_gather_") + suffix[dt], rows, 1, 256, {&dt_, &di, &dout, &rows, &hidden, &vocab});
    sim(rows, 1, 256, [&] {
        if (dt == 0)
            sgl_embedding_gather_f32((float *)table.p, (int *)ids.p, (float *)outk.p, rows, hidden, vocab);
        else if (dt == 1)
            sgl_embedding_gather_f16(HP(table.p), (int *)ids.p, HP(outk.p), rows, hidden, vocab);
        else
            sgl_embedding_gather_bf16(HP(table.p), (int *)ids.p, HP(outk.p), rows, hidden, vocab);
    });
    compare_exact("gather", outk, outs);
}

static void test_rotary(int dt, int rows, int heads_total, int d, int heads, int max_pos) {
    int stride = heads_total * d;
    Buf x = random_buf((long long)rows * stride, dt), x2 = clone(x), pos = alloc(rows * 4), cs = random_buf((long long)max_pos * d, 0);
    for (int r = 0; r < rows; r++) ((int *)pos.p)[r] = r == 1 ? max_pos : r == 2 ? -1 : (int)(rng() % max_pos);
    CUdeviceptr dx = (CUdeviceptr)x.p, dp = (CUdeviceptr)pos.p, dc = (CUdeviceptr)cs.p;
    shim(std::string("sgl_rotary_") + suffix[dt], rows, 1, 128, {&dx, &dp, &dc, &rows, &stride, &d, &heads, &max_pos});
    sim(rows, 1, 128, [&] {
        if (dt == 0)
            sgl_rotary_f32((float *)x2.p, (int *)pos.p, (float *)cs.p, rows, stride, d, heads, max_pos);
        else if (dt == 1)
            sgl_rotary_f16(HP(x2.p), (int *)pos.p, (float *)cs.p, rows, stride, d, heads, max_pos);
        else
            sgl_rotary_bf16(HP(x2.p), (int *)pos.p, (float *)cs.p, rows, stride, d, heads, max_pos);
    });
    compare("rotary", x2, x, (long long)rows * stride, dt, rel_tol(dt), abs_tol(dt) * 0.1);
}

static void test_silu_add(int dt) {
    int rows = 3, f = 1000;
    Buf gu = random_buf((long long)rows * 2 * f, dt, -8, 8), outs = alloc((size_t)rows * f * esize(dt)), outk = alloc(outs.bytes);
    CUdeviceptr dg = (CUdeviceptr)gu.p, dout = (CUdeviceptr)outs.p;
    unsigned grid = (rows * f + 255) / 256;
    shim(std::string("sgl_silu_mul_") + suffix[dt], grid, 1, 256, {&dg, &dout, &rows, &f});
    sim(grid, 1, 256, [&] {
        if (dt == 0)
            sgl_silu_mul_f32((float *)gu.p, (float *)outk.p, rows, f);
        else if (dt == 1)
            sgl_silu_mul_f16(HP(gu.p), HP(outk.p), rows, f);
        else
            sgl_silu_mul_bf16(HP(gu.p), HP(outk.p), rows, f);
    });
    compare("silu_mul", outk, outs, (long long)rows * f, dt, rel_tol(dt) + 1e-5, abs_tol(dt) * 0.01);
    for (int b_rows : {1, 3}) {
        int cols = f;
        float sa = 0.5f, sb = -2.0f;
        Buf a = random_buf((long long)rows * cols, dt), b = random_buf((long long)b_rows * cols, dt), a2 = clone(a);
        CUdeviceptr da = (CUdeviceptr)a.p, db = (CUdeviceptr)b.p;
        shim(std::string("sgl_add_") + suffix[dt], grid, 1, 256, {&da, &db, &da, &rows, &cols, &b_rows, &sa, &sb});
        sim(grid, 1, 256, [&] {
            if (dt == 0)
                sgl_add_f32((float *)a2.p, (float *)b.p, (float *)a2.p, rows, cols, b_rows, sa, sb);
            else if (dt == 1)
                sgl_add_f16(HP(a2.p), HP(b.p), HP(a2.p), rows, cols, b_rows, sa, sb);
            else
                sgl_add_bf16(HP(a2.p), HP(b.p), HP(a2.p), rows, cols, b_rows, sa, sb);
        });
        compare("add", a2, a, (long long)rows * cols, dt, rel_tol(dt), abs_tol(dt) * 0.01);
    }
}

// KvWrite then paged attention over a random slot table.
static void test_paged(int dt, int rows, bool decode, int hq, int hkv, int d, int context, int capacity, int misalign, int bad_slots) {
    int table_rows = decode ? rows : 1, table_cols = context + 3;
    int width = (hq + 2 * hkv) * d;
    Buf qkv = random_buf((long long)rows * width, dt);
    Buf kc = random_buf((long long)capacity * hkv * d + misalign, dt), vc = random_buf((long long)capacity * hkv * d + misalign, dt);
    Buf table = alloc((size_t)table_rows * table_cols * 4), pos = alloc(rows * 4);
    for (long long i = 0; i < (long long)table_rows * table_cols; i++) ((int *)table.p)[i] = (int)(rng() % capacity);
    for (int b = 0; b < bad_slots; b++) ((int *)table.p)[rng() % (table_rows * table_cols)] = (b % 2) ? -5 : capacity + 3;
    for (int r = 0; r < rows; r++)
        ((int *)pos.p)[r] = decode ? (r == rows - 1 && rows > 2 ? table_cols + 1 : context - 1 - (int)(rng() % 3)) : context - rows + r;
    // Distinct slots for the rows' own positions so KvWrite's result does not depend on the order of rows.
    Buf kc2 = clone(kc), vc2 = clone(vc);
    unsigned char *kcp = kc.p + misalign * esize(dt);
    unsigned char *vcp = vc.p + misalign * esize(dt);
    unsigned char *kcp2 = kc2.p + misalign * esize(dt);
    unsigned char *vcp2 = vc2.p + misalign * esize(dt);
    if (decode)
        for (int r = 0; r < rows; r++) {
            int p = ((int *)pos.p)[r];
            if (p >= 0 && p < table_cols) ((int *)table.p)[r * table_cols + p] = (r * 7919) % capacity;
        }
    else {
        for (int r = 0; r < rows; r++) ((int *)table.p)[((int *)pos.p)[r]] = r % capacity;
    }
    CUdeviceptr dq = (CUdeviceptr)qkv.p, dk = (CUdeviceptr)kcp, dv = (CUdeviceptr)vcp, dtb = (CUdeviceptr)table.p, dp = (CUdeviceptr)pos.p;
    shim(std::string("sgl_kv_write_") + suffix[dt], rows, 1, 128, {&dq, &dk, &dv, &dtb, &dp, &rows, &hq, &hkv, &d, &table_rows, &table_cols, &capacity});
    sim(rows, 1, 128, [&] {
        if (dt == 0)
            sgl_kv_write_f32((float *)qkv.p, (float *)kcp2, (float *)vcp2, (int *)table.p, (int *)pos.p, rows, hq, hkv, d, table_rows, table_cols, capacity);
        else if (dt == 1)
            sgl_kv_write_f16(HP(qkv.p), HP(kcp2), HP(vcp2), (int *)table.p, (int *)pos.p, rows, hq, hkv, d, table_rows, table_cols, capacity);
        else
            sgl_kv_write_bf16(HP(qkv.p), HP(kcp2), HP(vcp2), (int *)table.p, (int *)pos.p, rows, hq, hkv, d, table_rows, table_cols, capacity);
    });
    compare_exact("kv_write k", kc2, kc);
    compare_exact("kv_write v", vc2, vc);
    Buf outs = alloc((size_t)rows * hq * d * esize(dt)), outk = alloc(outs.bytes);
    float scale = 1.0f / std::sqrt((float)d) * 2.0f;
    CUdeviceptr dout = (CUdeviceptr)outs.p;
    shim(std::string("sgl_paged_attention_") + suffix[dt], hq, rows, 128,
         {&dq, &dk, &dv, &dtb, &dp, &dout, &rows, &hq, &hkv, &d, &table_rows, &table_cols, &capacity, &scale});
    sim(hq, rows, 128, [&] {
        if (dt == 0)
            sgl_paged_attention_f32((float *)qkv.p, (float *)kcp2, (float *)vcp2, (int *)table.p, (int *)pos.p, (float *)outk.p, rows, hq, hkv, d, table_rows,
                                    table_cols, capacity, scale);
        else if (dt == 1)
            sgl_paged_attention_f16(HP(qkv.p), HP(kcp2), HP(vcp2), (int *)table.p, (int *)pos.p, HP(outk.p), rows, hq, hkv, d, table_rows, table_cols, capacity,
                                    scale);
        else
            sgl_paged_attention_bf16(HP(qkv.p), HP(kcp2), HP(vcp2), (int *)table.p, (int *)pos.p, HP(outk.p), rows, hq, hkv, d, table_rows, table_cols,
                                     capacity, scale);
    });
    char what[128];
    snprintf(what, sizeof what, "paged attention rows %d decode %d hq %d hkv %d d %d context %d misalign %d bad %d", rows, decode, hq, hkv, d, context,
             misalign, bad_slots);
    compare(what, outk, outs, (long long)rows * hq * d, dt, rel_tol(dt) * 2, abs_tol(dt));
}

static void test_dense(int dt, int tokens, int heads, int d) {
    long long n = (long long)tokens * heads * d;
    Buf q = random_buf(n, dt), k = random_buf(n, dt), v = random_buf(n, dt), outs = alloc(n * esize(dt)), outk = alloc(n * esize(dt));
    float scale = 1.5f / std::sqrt((float)d);
    CUdeviceptr dq = (CUdeviceptr)q.p, dk = (CUdeviceptr)k.p, dv = (CUdeviceptr)v.p, dout = (CUdeviceptr)outs.p;
    shim(std::string("sgl_attention_") + suffix[dt], heads, tokens, 128, {&dq, &dk, &dv, &dout, &tokens, &heads, &d, &scale});
    sim(heads, tokens, 128, [&] {
        if (dt == 0)
            sgl_attention_f32((float *)q.p, (float *)k.p, (float *)v.p, (float *)outk.p, tokens, heads, d, scale);
        else if (dt == 1)
            sgl_attention_f16(HP(q.p), HP(k.p), HP(v.p), HP(outk.p), tokens, heads, d, scale);
        else
            sgl_attention_bf16(HP(q.p), HP(k.p), HP(v.p), HP(outk.p), tokens, heads, d, scale);
    });
    char what[96];
    snprintf(what, sizeof what, "attention tokens %d heads %d d %d", tokens, heads, d);
    compare(what, outk, outs, n, dt, rel_tol(dt) * 2, abs_tol(dt));
}

static void test_argmax(int dt) {
    int rows = 5, vocab = 32000;
    Buf l = random_buf((long long)rows * vocab, dt, -10, 10);
    float inf = INFINITY, nan = NAN;
    put(l.p, 0 * vocab + 31999, dt, 50);
    put(l.p, 0 * vocab + 17, dt, 50); // tie: lowest index
    put(l.p, 1 * vocab + 20000, dt, nan);
    put(l.p, 1 * vocab + 25000, dt, nan);                                // first NaN
    for (int i = 0; i < vocab; i++) put(l.p, 2LL * vocab + i, dt, -inf); // all -inf: 0
    put(l.p, 3 * vocab + 1025, dt, 99);
    put(l.p, 3 * vocab + 1, dt, 99); // tie across warps
    Buf outs = alloc(rows * 4), outk = alloc(rows * 4);
    CUdeviceptr dl = (CUdeviceptr)l.p, dout = (CUdeviceptr)outs.p;
    shim(std::string("sgl_argmax_") + suffix[dt], rows, 1, 1024, {&dl, &dout, &rows, &vocab});
    sim(rows, 1, 1024, [&] {
        if (dt == 0)
            sgl_argmax_f32((float *)l.p, (int *)outk.p, rows, vocab);
        else if (dt == 1)
            sgl_argmax_f16(HP(l.p), (int *)outk.p, rows, vocab);
        else
            sgl_argmax_bf16(HP(l.p), (int *)outk.p, rows, vocab);
    });
    compare_exact("argmax", outk, outs);
    int *o = (int *)outk.p;
    if (o[0] != 17 || o[1] != 20000 || o[2] != 0 || o[3] != 1) {
        failures++;
        printf("FAIL argmax values %d %d %d %d\n", o[0], o[1], o[2], o[3]);
    }
}

static void test_fill(int dt) {
    long long count = 5000;
    unsigned long long seed = 0x1234567890abcdefull;
    float lo = -0.0383f, hi = 0.0383f;
    Buf outs = alloc(count * esize(dt)), outk = alloc(count * esize(dt));
    CUdeviceptr dout = (CUdeviceptr)outs.p;
    shim(std::string("sgl_fill_uniform_") + suffix[dt], (unsigned)((count + 255) / 256), 1, 256, {&dout, &count, &seed, &lo, &hi});
    sim(3, 1, 256, [&] {
        if (dt == 0)
            sgl_fill_uniform_f32((float *)outk.p, count, seed, lo, hi);
        else if (dt == 1)
            sgl_fill_uniform_f16(HP(outk.p), count, seed, lo, hi);
        else
            sgl_fill_uniform_bf16(HP(outk.p), count, seed, lo, hi);
    });
    compare_exact("fill_uniform (grid-stride with 3 blocks)", outk, outs);
}

int main(int argc, char **) {
    simt_reverse_order = argc > 1;
    int dev;
    void *ctx;
    cuInit(0);
    cuDeviceGet(&dev, 0);
    cuDevicePrimaryCtxRetain(&ctx, 0);
    cuCtxSetCurrent(ctx);
    std::string image = ".version 6.4\n.target sm_70\n";
    for (const char *op :
         {"embedding_gather", "rms_norm", "matmul", "rotary", "silu_mul", "add", "kv_write", "paged_attention", "attention", "argmax", "fill_uniform"})
        for (const char *s : suffix) image += std::string(".entry sgl_") + op + "_" + s + "(\n";
    cuModuleLoadDataEx(&module, image.c_str(), 0, nullptr, nullptr);
    for (int dt = 0; dt < 3; dt++) {
        test_matmul(dt, 1, 37, 2048, 0);
        test_matmul(dt, 1, 16, 40, 0);
        test_matmul(dt, 1, 9, 7, 0);
        test_matmul(dt, 5, 13, 136, 0);
        test_matmul(dt, 9, 8, 520, 0);
        test_matmul(dt, 3, 11, 512, 1);
        test_matmul(dt, 1, 8, 8192, 0);
        test_matmul(dt, 4, 3, 0, 0);
        test_matmul(dt, 2, 5, 1000, 0);
        test_rms(dt, 3, 2048, false, false);
        test_rms(dt, 2, 77, true, false);
        test_rms(dt, 2, 300, false, true);
        test_gather(dt);
        test_rotary(dt, 5, 3, 16, 2, 40);
        test_rotary(dt, 4, 2, 128, 2, 100);
        test_silu_add(dt);
        for (int d : {16, 64, 128, 256, 96, 7, 200}) test_paged(dt, 3, true, 4, 2, d, 140, 300, 0, 5);
        test_paged(dt, 1, true, 2, 2, 128, 1, 8, 0, 0);
        test_paged(dt, 1, true, 2, 1, 128, 1000, 1200, 0, 20);
        test_paged(dt, 2, true, 2, 2, 64, 128, 200, 1, 3);
        test_paged(dt, 5, false, 4, 4, 16, 300, 400, 0, 0);
        test_paged(dt, 4, false, 2, 1, 128, 129, 200, 0, 4);
        test_paged(dt, 2, true, 2, 2, 32, 40, 50, 0, 1000);
        for (int d : {16, 128, 7}) test_dense(dt, 5, 2, d);
        test_dense(dt, 130, 1, 64);
        test_argmax(dt);
        test_fill(dt);
    }
    printf("%s: %d of %d checks failed (%s order)\n", failures ? "FAILED" : "ok", failures, checks, simt_reverse_order ? "reverse" : "forward");
    return failures != 0;
}
