/* A plugin's own native library, shipped in its package under runtimes/<rid>/native/. */
const char *acme_device_name(void)
{
    return "acme device from the native library";
}
