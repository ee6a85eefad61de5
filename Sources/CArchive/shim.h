// libarchive's reading interface, for runtime archives (tar, tar.gz, tar.zst, zip), recognised by
// their content.
#include <archive.h>
#include <archive_entry.h>
