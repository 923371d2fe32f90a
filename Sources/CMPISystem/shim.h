// Open MPI (Debian: libopenmpi-dev). Only the C shim `CMPI` includes this: Open MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM…) are macros over internal symbols that Swift cannot import.
#include <mpi.h>
