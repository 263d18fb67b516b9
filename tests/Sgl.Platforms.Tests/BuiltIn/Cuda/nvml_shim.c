/*
 * A stand-in for libnvidia-ml.so.1 so the cuda probe can be tested on machines without a GPU.
 * Every answer comes from environment variables read at call time, so one binary serves many tests:
 *   NVML_SHIM_INIT_RESULT    nvmlInit_v2's return code (default 0, NVML_SUCCESS)
 *   NVML_SHIM_DEVICE_COUNT   GPUs reported (default 1)
 *   NVML_SHIM_NAME           device name (default "NVIDIA H100 80GB HBM3")
 *   NVML_SHIM_MEMORY_TOTAL   total bytes (default 85520809984)
 *   NVML_SHIM_MEMORY_FREE    free bytes (default total - 1 GiB)
 *   NVML_SHIM_CC             compute capability "major.minor" (default "9.0")
 *   NVML_SHIM_DRIVER_VERSION driver version (default "550.54.15")
 *   NVML_SHIM_UUID_PREFIX    UUID of GPU i is this prefix followed by i (default "GPU-5e1f0c2a-0000-0000-0000-00000000000")
 *   NVML_SHIM_BUS_BASE       PCI bus of GPU 0 in hex; GPU i sits on bus base+i (default "3b")
 * Layouts follow NVIDIA's nvml.h (nvmlMemory_t, nvmlPciInfo_t).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;

typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

typedef struct {
    char busIdLegacy[16];
    unsigned int domain;
    unsigned int bus;
    unsigned int device;
    unsigned int pciDeviceId;
    unsigned int pciSubSystemId;
    char busId[32];
} nvmlPciInfo_t;

enum { NVML_SUCCESS = 0, NVML_ERROR_UNINITIALIZED = 1, NVML_ERROR_INVALID_ARGUMENT = 2,
       NVML_ERROR_DRIVER_NOT_LOADED = 9, NVML_ERROR_INSUFFICIENT_SIZE = 7 };

static int initialized;

static const char *env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value != NULL && value[0] != '\0' ? value : fallback;
}

static unsigned int device_count(void)
{
    return (unsigned int)strtoul(env_or("NVML_SHIM_DEVICE_COUNT", "1"), NULL, 10);
}

/* Handles encode index + 1 so that a null handle stays invalid. */
static long index_of(nvmlDevice_t device)
{
    long index = (long)(size_t)device - 1;
    return index >= 0 && (unsigned long)index < device_count() ? index : -1;
}

static nvmlReturn_t copy_out(char *buffer, unsigned int length, const char *text)
{
    if (buffer == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (strlen(text) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(buffer, text);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlInit_v2(void)
{
    int result = atoi(env_or("NVML_SHIM_INIT_RESULT", "0"));
    initialized = result == NVML_SUCCESS;
    return result;
}

nvmlReturn_t nvmlShutdown(void)
{
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    initialized = 0;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result)
{
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length)
{
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    return copy_out(version, length, env_or("NVML_SHIM_DRIVER_VERSION", "550.54.15"));
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count)
{
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *count = device_count();
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device)
{
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (device == NULL || index >= device_count()) return NVML_ERROR_INVALID_ARGUMENT;
    *device = (nvmlDevice_t)(size_t)(index + 1);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length)
{
    if (index_of(device) < 0) return NVML_ERROR_INVALID_ARGUMENT;
    return copy_out(name, length, env_or("NVML_SHIM_NAME", "NVIDIA H100 80GB HBM3"));
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length)
{
    char text[96];
    long index = index_of(device);
    if (index < 0) return NVML_ERROR_INVALID_ARGUMENT;
    snprintf(text, sizeof text, "%s%ld", env_or("NVML_SHIM_UUID_PREFIX", "GPU-5e1f0c2a-0000-0000-0000-00000000000"), index);
    return copy_out(uuid, length, text);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory)
{
    if (index_of(device) < 0 || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    memory->total = strtoull(env_or("NVML_SHIM_MEMORY_TOTAL", "85520809984"), NULL, 10);
    memory->free = getenv("NVML_SHIM_MEMORY_FREE") != NULL
        ? strtoull(getenv("NVML_SHIM_MEMORY_FREE"), NULL, 10)
        : memory->total - (1ULL << 30);
    memory->used = memory->total - memory->free;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor)
{
    if (index_of(device) < 0 || major == NULL || minor == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    if (sscanf(env_or("NVML_SHIM_CC", "9.0"), "%d.%d", major, minor) != 2) return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci)
{
    long index = index_of(device);
    if (index < 0 || pci == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    memset(pci, 0, sizeof *pci);
    pci->bus = (unsigned int)strtoul(env_or("NVML_SHIM_BUS_BASE", "3b"), NULL, 16) + (unsigned int)index;
    pci->pciDeviceId = 0x233010de;
    snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", pci->bus);
    snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
    return NVML_SUCCESS;
}
