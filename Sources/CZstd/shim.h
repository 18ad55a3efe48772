#ifndef LUMBUNG_CZSTD_SHIM_H
#define LUMBUNG_CZSTD_SHIM_H
#include <zstd.h>
#include <zdict.h>
#endif
