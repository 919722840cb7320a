//go:build !purego

#include "textflag.h"
#include "pairs_amd64.h"

// func merge2AVX512(dst, a, b []float32)
// sets dst[2i] = a[i] and dst[2i+1] = b[i] for i < len(a); the caller
// guarantees len(b) ≥ len(a) and len(dst) ≥ 2·len(a).
TEXT ·merge2AVX512(SB), NOSPLIT, $0-72
	MOVQ      dst_base+0(FP), DI
	MOVQ      a_base+24(FP), AX
	MOVQ      a_len+32(FP), CX
	MOVQ      b_base+48(FP), SI
	VMOVDQU32 ·pairLoIdx(SB), Z28
	VMOVDQU32 ·pairHiIdx(SB), Z29

loop:
	CMPQ      CX, $16
	JLT       tail
	VMOVUPS   (AX), Z0
	VMOVUPS   (SI), Z1
	PAIRPERM
	VMOVUPS   Z2, (DI)
	VMOVUPS   Z0, 64(DI)
	ADDQ      $64, AX
	ADDQ      $64, SI
	ADDQ      $128, DI
	SUBQ      $16, CX
	JMP       loop

tail:
	// CX < 16 pairs: K1 the inputs, K2 and K3 the 2·CX outputs.
	TESTQ     CX, CX
	JEQ       done
	PAIRMASKS
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	PAIRPERM
	VMOVUPS   Z2, K2, (DI)
	VMOVUPS   Z0, K3, 64(DI)

done:
	VZEROUPPER
	RET

// pairLoIdx and pairHiIdx interleave two vectors: lane 2i takes the
// first's lane i and lane 2i+1 the second's, for the low and the high
// eight pairs.
DATA ·pairLoIdx+0(SB)/4, $0
DATA ·pairLoIdx+4(SB)/4, $16
DATA ·pairLoIdx+8(SB)/4, $1
DATA ·pairLoIdx+12(SB)/4, $17
DATA ·pairLoIdx+16(SB)/4, $2
DATA ·pairLoIdx+20(SB)/4, $18
DATA ·pairLoIdx+24(SB)/4, $3
DATA ·pairLoIdx+28(SB)/4, $19
DATA ·pairLoIdx+32(SB)/4, $4
DATA ·pairLoIdx+36(SB)/4, $20
DATA ·pairLoIdx+40(SB)/4, $5
DATA ·pairLoIdx+44(SB)/4, $21
DATA ·pairLoIdx+48(SB)/4, $6
DATA ·pairLoIdx+52(SB)/4, $22
DATA ·pairLoIdx+56(SB)/4, $7
DATA ·pairLoIdx+60(SB)/4, $23
GLOBL ·pairLoIdx(SB), RODATA|NOPTR, $64

DATA ·pairHiIdx+0(SB)/4, $8
DATA ·pairHiIdx+4(SB)/4, $24
DATA ·pairHiIdx+8(SB)/4, $9
DATA ·pairHiIdx+12(SB)/4, $25
DATA ·pairHiIdx+16(SB)/4, $10
DATA ·pairHiIdx+20(SB)/4, $26
DATA ·pairHiIdx+24(SB)/4, $11
DATA ·pairHiIdx+28(SB)/4, $27
DATA ·pairHiIdx+32(SB)/4, $12
DATA ·pairHiIdx+36(SB)/4, $28
DATA ·pairHiIdx+40(SB)/4, $13
DATA ·pairHiIdx+44(SB)/4, $29
DATA ·pairHiIdx+48(SB)/4, $14
DATA ·pairHiIdx+52(SB)/4, $30
DATA ·pairHiIdx+56(SB)/4, $15
DATA ·pairHiIdx+60(SB)/4, $31
GLOBL ·pairHiIdx(SB), RODATA|NOPTR, $64
