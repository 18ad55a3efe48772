#ifndef LUMBUNG_CLMDB_SHIM_H
#define LUMBUNG_CLMDB_SHIM_H
#include <lmdb.h>
#endif
