/*
 * A stand-in for Moore Threads' libmtml.so with the signatures of mtml.h (MTML 2.2.0), so the MUSA
 * probe's binding runs against real native calls in tests. Variants are compiled with -D switches:
 *   SHIM_DEVICE_COUNT   devices reported (default 2)
 *   SHIM_INIT_RESULT    what mtmlLibraryInit returns (default 0, MTML_SUCCESS)
 *   SHIM_OMIT_COUNT     leave mtmlLibraryCountDevice out, as a library that is not MTML would
 * shim_open_objects() reports objects initialised and not yet freed, so tests can check the binding
 * releases what it opens.
 */
#include <stdio.h>
#include <string.h>

#ifndef SHIM_DEVICE_COUNT
#define SHIM_DEVICE_COUNT 2
#endif
#ifndef SHIM_INIT_RESULT
#define SHIM_INIT_RESULT 0
#endif

#define MTML_SUCCESS 0
#define MTML_ERROR_INVALID_ARGUMENT 3
#define MTML_ERROR_INSUFFICIENT_SIZE 6
#define MTML_ERROR_NOT_FOUND 7
#define MAX_DEVICES 8

typedef struct { int tag; } Object;

typedef struct {
    char sbdf[32];
    unsigned int segment, bus, device, pciDeviceId, pciSubsystemId, busWidth;
    float pciMaxSpeed, pciCurSpeed;
    unsigned int pciMaxWidth, pciCurWidth, pciMaxGen, pciCurGen;
    int rsvd[6];
} MtmlPciInfo;

static Object library_object, system_object;
static Object devices[MAX_DEVICES];
static Object memories[MAX_DEVICES];
static int open_objects;
/* A variable, not the macro, so a zero-device variant compiles without always-false comparisons. */
static unsigned int device_count = SHIM_DEVICE_COUNT;

int shim_open_objects(void) { return open_objects; }

static int device_index(const void *dev)
{
    for (unsigned int i = 0; i < device_count && i < MAX_DEVICES; i++)
        if (dev == &devices[i]) return (int)i;
    return -1;
}

static int copy_text(char *out, unsigned int length, const char *text)
{
    if (out == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    if (strlen(text) + 1 > length) return MTML_ERROR_INSUFFICIENT_SIZE;
    strcpy(out, text);
    return MTML_SUCCESS;
}

int mtmlLibraryInit(void **lib)
{
    if (lib == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    if (SHIM_INIT_RESULT != MTML_SUCCESS) return SHIM_INIT_RESULT;
    *lib = &library_object;
    open_objects++;
    return MTML_SUCCESS;
}

int mtmlLibraryShutDown(void *lib)
{
    if (lib != &library_object) return MTML_ERROR_INVALID_ARGUMENT;
    open_objects--;
    return MTML_SUCCESS;
}

#ifndef SHIM_OMIT_COUNT
int mtmlLibraryCountDevice(const void *lib, unsigned int *count)
{
    if (lib != &library_object || count == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    *count = device_count;
    return MTML_SUCCESS;
}
#endif

int mtmlLibraryInitDeviceByIndex(const void *lib, unsigned int index, void **dev)
{
    if (lib != &library_object || dev == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    if (index >= device_count || index >= MAX_DEVICES) return MTML_ERROR_NOT_FOUND;
    *dev = &devices[index];
    return MTML_SUCCESS;
}

int mtmlLibraryInitSystem(const void *lib, void **sys)
{
    if (lib != &library_object || sys == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    *sys = &system_object;
    open_objects++;
    return MTML_SUCCESS;
}

int mtmlLibraryFreeSystem(void *sys)
{
    if (sys != &system_object) return MTML_ERROR_INVALID_ARGUMENT;
    open_objects--;
    return MTML_SUCCESS;
}

int mtmlSystemGetDriverVersion(const void *sys, char *version, unsigned int length)
{
    if (sys != &system_object) return MTML_ERROR_INVALID_ARGUMENT;
    return copy_text(version, length, "2.9.2-shim");
}

int mtmlDeviceGetName(const void *dev, char *name, unsigned int length)
{
    if (device_index(dev) < 0) return MTML_ERROR_INVALID_ARGUMENT;
    return copy_text(name, length, "MTT S4000");
}

int mtmlDeviceGetUUID(const void *dev, char *uuid, unsigned int length)
{
    int i = device_index(dev);
    char text[48];
    if (i < 0) return MTML_ERROR_INVALID_ARGUMENT;
    snprintf(text, sizeof text, "7de4d75b-7522-1fdc-8dc4-db9a169a5e8%d", i);
    return copy_text(uuid, length, text);
}

int mtmlDeviceGetPciInfo(const void *dev, MtmlPciInfo *pci)
{
    int i = device_index(dev);
    if (i < 0 || pci == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    memset(pci, 0, sizeof *pci);
    snprintf(pci->sbdf, sizeof pci->sbdf, "00000000:%02x:00.0", 0x3a + i);
    pci->bus = 0x3a + i;
    pci->pciDeviceId = (0x0400u << 16) | 0x1ed5u;
    return MTML_SUCCESS;
}

int mtmlDeviceInitMemory(const void *dev, void **mem)
{
    int i = device_index(dev);
    if (i < 0 || mem == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    *mem = &memories[i];
    open_objects++;
    return MTML_SUCCESS;
}

int mtmlDeviceFreeMemory(void *mem)
{
    for (int i = 0; i < MAX_DEVICES; i++)
        if (mem == &memories[i]) { open_objects--; return MTML_SUCCESS; }
    return MTML_ERROR_INVALID_ARGUMENT;
}

int mtmlMemoryGetTotal(const void *mem, unsigned long long *total)
{
    if (total == NULL) return MTML_ERROR_INVALID_ARGUMENT;
    for (int i = 0; i < MAX_DEVICES; i++)
        if (mem == &memories[i]) { *total = 48ULL << 30; return MTML_SUCCESS; }
    return MTML_ERROR_INVALID_ARGUMENT;
}
