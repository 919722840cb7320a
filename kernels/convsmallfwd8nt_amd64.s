//go:build !purego

#include "textflag.h"
#include "gemm848_amd64.h"

#define STORE VMOVNTPS

// func convFwd8x48NTAVX512(k int, x []float32, q *[3]int32, off []int32, w, b []float32, y []float32, ldy int, yo *[3]int32, cout int)
// See convsmallfwd8_amd64.h: the output is stored non-temporally, around
// the caches, so every y[c·ldy + yo[v]] must lie on a 64-byte line
// boundary. The caller runs sfence once its calls are done.
TEXT ·convFwd8x48NTAVX512(SB), NOSPLIT, $0-160
#include "convsmallfwd8_amd64.h"
