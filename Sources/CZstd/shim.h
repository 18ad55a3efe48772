#ifndef LUMBUNG_CZSTD_SHIM_H
#define LUMBUNG_CZSTD_SHIM_H
/* The block-level API (ZSTD_compressBlock, ZSTD_decompressBlock): records of format 3 are
   bare blocks. Debian's libzstd exports it; it is stable within a zstd release. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zdict.h>
#endif
