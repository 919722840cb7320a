//go:build !purego

#include "textflag.h"

// func packA12AVX512(dst, a []float32, lda, kc int, alpha float32)
// dst[p*12+i] = alpha·a[i*lda+p] for i < 12, p < kc: one masked 12-lane
// gather per column of the panel.
TEXT ·packA12AVX512(SB), NOSPLIT, $0-68
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), AX
	MOVQ lda+48(FP), BX
	MOVQ kc+56(FP), CX
	VBROADCASTSS alpha+64(FP), Z2
	// Z1 = {0, lda, 2·lda, ..., 15·lda} as int32.
	VPBROADCASTD BX, Z3
	VPMULLD ·iota16(SB), Z3, Z1
	MOVL $0x0fff, R8
	KMOVW R8, K1
	TESTQ CX, CX
	JLE   done

loop:
	KMOVW K1, K2
	VGATHERDPS (AX)(Z1*4), K2, Z0
	VMULPS Z2, Z0, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $4, AX
	ADDQ $48, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

DATA ·iota16+0(SB)/4, $0
DATA ·iota16+4(SB)/4, $1
DATA ·iota16+8(SB)/4, $2
DATA ·iota16+12(SB)/4, $3
DATA ·iota16+16(SB)/4, $4
DATA ·iota16+20(SB)/4, $5
DATA ·iota16+24(SB)/4, $6
DATA ·iota16+28(SB)/4, $7
DATA ·iota16+32(SB)/4, $8
DATA ·iota16+36(SB)/4, $9
DATA ·iota16+40(SB)/4, $10
DATA ·iota16+44(SB)/4, $11
DATA ·iota16+48(SB)/4, $12
DATA ·iota16+52(SB)/4, $13
DATA ·iota16+56(SB)/4, $14
DATA ·iota16+60(SB)/4, $15
GLOBL ·iota16(SB), RODATA|NOPTR, $64

// func gatherRows32AVX512(dst, b []float32, off []int32, k int)
// dst[p*32+j] = b[off[p]+j] for p < k, j < 32: packs a 32-wide B panel
// whose rows start at arbitrary offsets (the rows of an implicit im2col).
TEXT ·gatherRows32AVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ b_base+24(FP), BX
	MOVQ off_base+48(FP), SI
	MOVQ k+72(FP), CX
	TESTQ CX, CX
	JLE   gdone

gloop:
	MOVLQSX (SI), R9
	VMOVUPS (BX)(R9*4), Z0
	VMOVUPS 64(BX)(R9*4), Z1
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	ADDQ $4, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  gloop

gdone:
	VZEROUPPER
	RET

// func gatherCols16AVX512(dst, src []float32, idx *[16]int32, lanes, n, dstStride int)
// dst[q*dstStride+j] = src[idx[j]+q] for q < n, j < lanes (lanes <= 16):
// packs a transposed panel, one masked gather per q.
TEXT ·gatherCols16AVX512(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), AX
	MOVQ idx+48(FP), BX
	MOVQ lanes+56(FP), CX
	MOVQ n+64(FP), DX
	MOVQ dstStride+72(FP), R8
	SHLQ $2, R8
	VMOVDQU32 (BX), Z1
	MOVL $1, R9
	SHLL CX, R9
	DECL R9
	KMOVW R9, K1
	TESTQ DX, DX
	JLE   cdone

cloop:
	KMOVW K1, K2
	VGATHERDPS (AX)(Z1*4), K2, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $4, AX
	ADDQ R8, DI
	DECQ DX
	JNZ  cloop

cdone:
	VZEROUPPER
	RET
