//go:build !purego

#include "textflag.h"
#include "pairs_amd64.h"

// func merge2RowsAVX512(dst, a, b []float32, n, rows, dstStride, srcStride int)
// runs merge2AVX512 on rows rows of n pairs: row r interleaves
// a[r·srcStride:] and b[r·srcStride:] into dst[r·dstStride:]. The caller
// guarantees every row lies inside its slice.
TEXT ·merge2RowsAVX512(SB), NOSPLIT, $0-104
	MOVQ      dst_base+0(FP), R9
	MOVQ      a_base+24(FP), R10
	MOVQ      b_base+48(FP), R11
	MOVQ      rows+80(FP), R12
	VMOVDQU32 ·pairLoIdx(SB), Z28
	VMOVDQU32 ·pairHiIdx(SB), Z29

row:
	TESTQ     R12, R12
	JLE       done
	MOVQ      R9, DI
	MOVQ      R10, AX
	MOVQ      R11, SI
	MOVQ      n+72(FP), CX

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
	TESTQ     CX, CX
	JEQ       next
	PAIRMASKS
	VMOVUPS.Z (AX), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	PAIRPERM
	VMOVUPS   Z2, K2, (DI)
	VMOVUPS   Z0, K3, 64(DI)

next:
	MOVQ      dstStride+88(FP), R8
	LEAQ      (R9)(R8*4), R9
	MOVQ      srcStride+96(FP), R8
	LEAQ      (R10)(R8*4), R10
	LEAQ      (R11)(R8*4), R11
	DECQ      R12
	JMP       row

done:
	VZEROUPPER
	RET

// func split2RowsAVX512(a, b, src []float32, n, rows, dstStride, srcStride int)
// runs split2AVX512 on rows rows of n pairs: row r splits
// src[r·srcStride:] into a[r·dstStride:] and b[r·dstStride:]. The caller
// guarantees every row lies inside its slice.
TEXT ·split2RowsAVX512(SB), NOSPLIT, $0-104
	MOVQ      a_base+0(FP), R9
	MOVQ      b_base+24(FP), R10
	MOVQ      src_base+48(FP), R11
	MOVQ      rows+80(FP), R12
	VMOVDQU32 ·evenIdx(SB), Z28
	VMOVDQU32 ·oddIdx(SB), Z29

srow:
	TESTQ     R12, R12
	JLE       sdone
	MOVQ      R9, DI
	MOVQ      R10, SI
	MOVQ      R11, AX
	MOVQ      n+72(FP), CX

sloop:
	CMPQ      CX, $16
	JLT       stail
	VMOVUPS   (AX), Z0
	VMOVUPS   64(AX), Z1
	PAIRPERM
	VMOVUPS   Z2, (DI)
	VMOVUPS   Z0, (SI)
	ADDQ      $128, AX
	ADDQ      $64, DI
	ADDQ      $64, SI
	SUBQ      $16, CX
	JMP       sloop

stail:
	TESTQ     CX, CX
	JEQ       snext
	PAIRMASKS
	VMOVUPS.Z (AX), K2, Z0
	VMOVUPS.Z 64(AX), K3, Z1
	PAIRPERM
	VMOVUPS   Z2, K1, (DI)
	VMOVUPS   Z0, K1, (SI)

snext:
	MOVQ      dstStride+88(FP), R8
	LEAQ      (R9)(R8*4), R9
	LEAQ      (R10)(R8*4), R10
	MOVQ      srcStride+96(FP), R8
	LEAQ      (R11)(R8*4), R11
	DECQ      R12
	JMP       srow

sdone:
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
