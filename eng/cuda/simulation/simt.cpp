#include "simt.h"
#include <cstdio>
#include <cstdlib>
#include <ucontext.h>
#include <vector>

SimDim3 threadIdx, blockIdx, blockDim, gridDim;
bool simt_reverse_order;

namespace {
enum State { Ready, AtBlockBarrier, AtWarpBarrier, Exited };
struct Fiber {
    ucontext_t context;
    State state;
    std::vector<char> stack;
};
std::vector<Fiber> fibers;
ucontext_t scheduler;
int running;
const std::function<void()>* kernel;
float exchange_f32[1024];
int exchange_i32[1024];

void fiber_main()
{
    (*kernel)();
    fibers[running].state = Exited;
    swapcontext(&fibers[running].context, &scheduler);
}

void wait(State state)
{
    fibers[running].state = state;
    swapcontext(&fibers[running].context, &scheduler);
}

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "simt: %s in block (%u, %u)\n", what, blockIdx.x, blockIdx.y);
    std::abort();
}

// Releases the first warp whose 32 lanes all wait at a shuffle; false when none does.
bool release_a_warp(unsigned int threads)
{
    for (unsigned int w = 0; w < threads / 32; ++w) {
        int waiting = 0, exited = 0;
        for (unsigned int l = 0; l < 32; ++l) {
            waiting += fibers[w * 32 + l].state == AtWarpBarrier;
            exited += fibers[w * 32 + l].state == Exited;
        }
        if (waiting == 32) {
            for (unsigned int l = 0; l < 32; ++l) fibers[w * 32 + l].state = Ready;
            return true;
        }
        if (waiting > 0 && waiting + exited == 32) fail("a shuffle with exited lanes");
    }
    return false;
}

void run_block(unsigned int threads)
{
    for (unsigned int t = 0; t < threads; ++t) {
        Fiber& f = fibers[t];
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.data();
        f.context.uc_stack.ss_size = f.stack.size();
        f.context.uc_link = nullptr;
        makecontext(&f.context, fiber_main, 0);
        f.state = Ready;
    }
    for (;;) {
        bool ran = false;
        for (unsigned int i = 0; i < threads; ++i) {
            unsigned int t = simt_reverse_order ? threads - 1 - i : i;
            if (fibers[t].state != Ready) continue;
            running = (int)t;
            threadIdx = {t, 0, 0};
            swapcontext(&scheduler, &fibers[t].context);
            ran = true;
        }
        if (ran || release_a_warp(threads)) continue;
        unsigned int exited = 0, at_barrier = 0;
        for (unsigned int t = 0; t < threads; ++t) {
            exited += fibers[t].state == Exited;
            at_barrier += fibers[t].state == AtBlockBarrier;
        }
        if (exited == threads) return;
        if (at_barrier != threads) fail("a barrier that not every thread reaches (or a deadlock)");
        for (auto& f : fibers) f.state = Ready;
    }
}
} // namespace

void simt_syncthreads() { wait(AtBlockBarrier); }

float simt_shfl_xor_f32(float value, int mask)
{
    const int me = running;
    exchange_f32[me] = value;
    wait(AtWarpBarrier);
    const float other = exchange_f32[(me & ~31) | ((me & 31) ^ mask)];
    wait(AtWarpBarrier); // nobody overwrites the exchange before every lane has read it
    return other;
}

int simt_shfl_xor_i32(int value, int mask)
{
    const int me = running;
    exchange_i32[me] = value;
    wait(AtWarpBarrier);
    const int other = exchange_i32[(me & ~31) | ((me & 31) ^ mask)];
    wait(AtWarpBarrier);
    return other;
}

void simt_launch(unsigned int grid_x, unsigned int grid_y, unsigned int threads, const std::function<void()>& body)
{
    kernel = &body;
    gridDim = {grid_x, grid_y, 1};
    blockDim = {threads, 1, 1};
    fibers.resize(threads);
    for (auto& f : fibers) {
        if (f.stack.empty()) f.stack.resize(256 * 1024);
    }
    for (unsigned int y = 0; y < grid_y; ++y) {
        for (unsigned int x = 0; x < grid_x; ++x) {
            blockIdx = {x, y, 0};
            run_block(threads);
        }
    }
}
