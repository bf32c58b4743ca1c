#include "CKernels.h"

/// Per thread: how many parallel-loop chunks this thread is inside (see CKernels.h).
static _Thread_local int depth;

int fk_parallel_chunk_depth(void) { return depth; }

void fk_add_parallel_chunk_depth(int delta) { depth += delta; }
