//go:build !purego

#include "textflag.h"

// func gatherSegsAVX512(dst, b []float32, off []int32, k, nr int, segs []int32)
// For p < k and each segment (src, col, n) of segs (int32 triples), in
// order: dst[p*nr+col+j] = b[off[p]+src+j] for j < n. Each segment is
// copied in whole vectors of 16, so a copy runs up to 15 elements past its
// end, on both sides; the next segment (or row) overwrites the surplus, and
// the caller guarantees 15 readable elements past every source run and 15
// writable elements past the last row.
TEXT ·gatherSegsAVX512(SB), NOSPLIT, $0-112
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), BX
	MOVQ off_base+48(FP), SI
	MOVQ k+72(FP), CX
	MOVQ nr+80(FP), R8
	SHLQ $2, R8
	MOVQ segs_base+88(FP), R10
	MOVQ segs_len+96(FP), R11
	LEAQ (R10)(R11*4), R11
	TESTQ CX, CX
	JLE   sdone

srow:
	MOVLQSX (SI), R9
	LEAQ    (BX)(R9*4), R9
	MOVQ    R10, R12

sseg:
	CMPQ    R12, R11
	JGE     snext
	MOVLQSX (R12), AX
	MOVLQSX 4(R12), DX
	MOVLQSX 8(R12), R13
	LEAQ    (R9)(AX*4), AX
	LEAQ    (DI)(DX*4), DX

scopy:
	VMOVUPS (AX), Z0
	VMOVUPS Z0, (DX)
	ADDQ    $64, AX
	ADDQ    $64, DX
	SUBQ    $16, R13
	JG      scopy
	ADDQ    $12, R12
	JMP     sseg

snext:
	ADDQ $4, SI
	ADDQ R8, DI
	DECQ CX
	JNZ  srow

sdone:
	VZEROUPPER
	RET
