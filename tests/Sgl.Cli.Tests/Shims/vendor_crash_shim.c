/* A stand-in for a vendor's native management library that misbehaves inside its init call,
   the way real driver libraries sometimes do. CRASH_SHIM_MODE picks the fault. */
#include <stdlib.h>
#include <unistd.h>

int vendor_init(void)
{
    const char *mode = getenv("CRASH_SHIM_MODE");
    if (mode == NULL) return 0;
    switch (mode[0]) {
    case 's': { volatile int *nowhere = (int *)0; *nowhere = 42; break; } /* segfault */
    case 'a': abort();                                                    /* SIGABRT */
    case 'e': _exit(7);                                                   /* exits the process */
    case 'h': for (;;) sleep(1);                                          /* hangs */
    }
    return 0;
}
