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
