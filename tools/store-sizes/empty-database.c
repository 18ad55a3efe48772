/* Empties one named database of an LMDB environment (mdb_drop without deleting it), for
 * tools/store-sizes.sh: Debian's lmdb-utils 0.9.24 has no mdb_drop. Usage: empty-database DIR NAME */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
int main(int c, char **v) {
  MDB_env *env; MDB_txn *t; MDB_dbi d; int rc;
  mdb_env_create(&env); mdb_env_set_maxdbs(env, 64); mdb_env_set_mapsize(env, 1UL<<36);
  if ((rc = mdb_env_open(env, v[1], 0, 0644))) { printf("open %s\n", mdb_strerror(rc)); return 1; }
  mdb_txn_begin(env, NULL, 0, &t);
  if ((rc = mdb_dbi_open(t, v[2], 0, &d))) { printf("dbi %s\n", mdb_strerror(rc)); return 1; }
  if ((rc = mdb_drop(t, d, 0))) { printf("drop %s\n", mdb_strerror(rc)); return 1; }
  if ((rc = mdb_txn_commit(t))) { printf("commit %s\n", mdb_strerror(rc)); return 1; }
  mdb_env_close(env); return 0;
}
