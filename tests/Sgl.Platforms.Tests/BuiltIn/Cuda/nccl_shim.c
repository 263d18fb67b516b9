/*
 * A libnccl.so.2 for tests without GPUs, beside the libcuda shim (whose device memory is host memory): ranks are
 * threads of one process, groups are found by their unique id, and ncclAllReduce sums float32 or bfloat16 buffers in
 * rank order at once (the libcuda shim runs kernels at once too, so stream order holds). CUDA graph capture of the
 * all-reduce is not emulated: tests that use this shim run eagerly. On a GPU the real NCCL is used.
 *
 * Configured at call time by:
 *   NCCL_SHIM_INIT_RESULT   ncclCommInitRank's return code (default 0); when not 0, ncclGetLastError says why
 *
 * Counters for tests: ncclShimAllReduces(), ncclShimLastDataType(), ncclShimLastStream(), ncclShimLiveComms().
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_BYTES 128
#define MAX_RANKS 8

typedef struct { char internal[ID_BYTES]; } ncclUniqueId;

typedef struct Group {
    char id[ID_BYTES];
    int nranks;
    pthread_barrier_t barrier;
    void *buffers[MAX_RANKS];
    size_t counts[MAX_RANKS];
    struct Group *next;
} Group;

typedef struct { Group *group; int rank; } Comm;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static Group *groups;
static int next_id, all_reduces, last_type = -1, live_comms;
static void *last_stream;
static char last_error[256];

int ncclGetVersion(int *version) { *version = 22703; return 0; }

int ncclGetUniqueId(ncclUniqueId *id)
{
    pthread_mutex_lock(&lock);
    memset(id, 0, sizeof *id);
    snprintf(id->internal, ID_BYTES, "nccl-shim-%d-%p", ++next_id, (void *)id);
    pthread_mutex_unlock(&lock);
    return 0;
}

int ncclCommInitRank(Comm **comm, int nranks, ncclUniqueId id, int rank)
{
    const char *forced = getenv("NCCL_SHIM_INIT_RESULT");
    Group *group;
    if (forced != NULL && atoi(forced) != 0) {
        snprintf(last_error, sizeof last_error, "nccl shim: rank %d refused (NCCL_SHIM_INIT_RESULT=%s)", rank, forced);
        return atoi(forced);
    }
    if (comm == NULL || nranks < 1 || nranks > MAX_RANKS || rank < 0 || rank >= nranks) {
        snprintf(last_error, sizeof last_error, "nccl shim: rank %d of %d is out of range", rank, nranks);
        return 4; /* ncclInvalidArgument */
    }
    pthread_mutex_lock(&lock);
    for (group = groups; group != NULL && memcmp(group->id, id.internal, ID_BYTES) != 0; group = group->next) {}
    if (group == NULL) {
        group = calloc(1, sizeof *group);
        memcpy(group->id, id.internal, ID_BYTES);
        group->nranks = nranks;
        pthread_barrier_init(&group->barrier, NULL, (unsigned)nranks);
        group->next = groups;
        groups = group;
    }
    pthread_mutex_unlock(&lock);
    if (group->nranks != nranks) {
        snprintf(last_error, sizeof last_error, "nccl shim: rank %d says %d ranks, the group has %d", rank, nranks, group->nranks);
        return 5; /* ncclInvalidUsage */
    }
    pthread_barrier_wait(&group->barrier); /* every rank joins before any returns, as in NCCL */
    *comm = calloc(1, sizeof **comm);
    (*comm)->group = group;
    (*comm)->rank = rank;
    pthread_mutex_lock(&lock);
    live_comms++;
    pthread_mutex_unlock(&lock);
    return 0;
}

static float from_bf16(uint16_t v) { uint32_t bits = (uint32_t)v << 16; float f; memcpy(&f, &bits, 4); return f; }

static uint16_t to_bf16(float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    bits += 0x7fff + ((bits >> 16) & 1); /* round to nearest even */
    return (uint16_t)(bits >> 16);
}

int ncclAllReduce(const void *send, void *recv, size_t count, int type, int op, Comm *comm, void *stream)
{
    Group *group;
    float *sum;
    size_t i;
    int r;
    if (comm == NULL || op != 0 || (type != 7 && type != 9) || send != recv) {
        snprintf(last_error, sizeof last_error, "nccl shim: only in-place float32/bfloat16 sums (type %d, op %d)", type, op);
        return 4;
    }
    group = comm->group;
    group->buffers[comm->rank] = recv;
    group->counts[comm->rank] = count;
    pthread_barrier_wait(&group->barrier);
    for (r = 0; r < group->nranks; r++) {
        if (group->counts[r] != count) {
            snprintf(last_error, sizeof last_error, "nccl shim: rank %d sums %zu elements, rank %d %zu", comm->rank, count, r, group->counts[r]);
            pthread_barrier_wait(&group->barrier);
            return 5;
        }
    }
    sum = malloc(count * sizeof(float) + 1);
    for (i = 0; i < count; i++) {
        float total = 0;
        for (r = 0; r < group->nranks; r++) {
            float v = type == 7 ? ((float *)group->buffers[r])[i] : from_bf16(((uint16_t *)group->buffers[r])[i]);
            total = r == 0 ? v : total + v;
        }
        sum[i] = total;
    }
    pthread_barrier_wait(&group->barrier); /* every rank has read every buffer */
    for (i = 0; i < count; i++) {
        if (type == 7) ((float *)recv)[i] = sum[i]; else ((uint16_t *)recv)[i] = to_bf16(sum[i]);
    }
    free(sum);
    pthread_mutex_lock(&lock);
    all_reduces++;
    last_type = type;
    last_stream = stream;
    pthread_mutex_unlock(&lock);
    return 0;
}

int ncclCommDestroy(Comm *comm)
{
    if (comm == NULL) return 4;
    free(comm);
    pthread_mutex_lock(&lock);
    live_comms--;
    pthread_mutex_unlock(&lock);
    return 0;
}

const char *ncclGetErrorString(int result)
{
    switch (result) {
    case 0: return "no error";
    case 1: return "unhandled cuda error";
    case 2: return "unhandled system error";
    case 3: return "internal error";
    case 4: return "invalid argument";
    case 5: return "invalid usage";
    case 6: return "remote process exited or there was a network error";
    default: return "unknown result code";
    }
}

const char *ncclGetLastError(Comm *comm) { (void)comm; return last_error; }

int ncclShimAllReduces(void) { int v; pthread_mutex_lock(&lock); v = all_reduces; pthread_mutex_unlock(&lock); return v; }
int ncclShimLastDataType(void) { return last_type; }
void *ncclShimLastStream(void) { return last_stream; }
int ncclShimLiveComms(void) { int v; pthread_mutex_lock(&lock); v = live_comms; pthread_mutex_unlock(&lock); return v; }
