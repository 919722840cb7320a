//go:build !purego

#include "textflag.h"

// Row kernels of 2×2(×2) average pooling and nearest ×2 upsampling,
// forward and backward. n is a multiple of the vector width (16 or 8);
// the caller does the remaining outputs in Go.

// func pairSumRowsAVX512(y, x []float32, offs []int64, n int, scale float32)
// y[o] = scale·Σ_r (x[offs[r]+2o] + x[offs[r]+2o+1]) for o < n, the rows
// added in order, as avgPoolGeneric adds them.
TEXT ·pairSumRowsAVX512(SB), NOSPLIT, $0-84
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), AX
	MOVQ offs_base+48(FP), BX
	MOVQ offs_len+56(FP), R12
	MOVQ n+72(FP), CX
	VBROADCASTSS scale+80(FP), Z30
	VMOVDQU32 ·evenIdx(SB), Z28
	VMOVDQU32 ·oddIdx(SB), Z29
	XORQ R13, R13

ploop:
	CMPQ CX, $16
	JLT  pdone
	XORQ R14, R14

prow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), SI
	ADDQ R13, SI
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVAPS Z0, Z2
	VPERMT2PS Z1, Z28, Z2
	VPERMT2PS Z1, Z29, Z0
	VADDPS Z0, Z2, Z2
	TESTQ R14, R14
	JNE   pacc
	VMOVAPS Z2, Z10
	JMP   pnext

pacc:
	VADDPS Z2, Z10, Z10

pnext:
	INCQ R14
	CMPQ R14, R12
	JLT  prow
	VMULPS Z30, Z10, Z10
	VMOVUPS Z10, (DI)
	ADDQ $64, DI
	ADDQ $128, R13
	SUBQ $16, CX
	JMP  ploop

pdone:
	VZEROUPPER
	RET

// func dupRowsAVX512(y []float32, offs []int64, x []float32, n int, scale float32)
// y[offs[r]+2o] = y[offs[r]+2o+1] = scale·x[o] for every r and o < n.
TEXT ·dupRowsAVX512(SB), NOSPLIT, $0-84
	MOVQ y_base+0(FP), AX
	MOVQ offs_base+24(FP), BX
	MOVQ offs_len+32(FP), R12
	MOVQ x_base+48(FP), SI
	MOVQ n+72(FP), CX
	VBROADCASTSS scale+80(FP), Z30
	VMOVDQU32 ·dupLoIdx(SB), Z28
	VMOVDQU32 ·dupHiIdx(SB), Z29
	XORQ R13, R13

uloop:
	CMPQ CX, $16
	JLT  udone
	VMULPS (SI), Z30, Z0
	VPERMPS Z0, Z28, Z1
	VPERMPS Z0, Z29, Z2
	XORQ R14, R14

urow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), DI
	ADDQ R13, DI
	VMOVUPS Z1, (DI)
	VMOVUPS Z2, 64(DI)
	INCQ R14
	CMPQ R14, R12
	JLT  urow
	ADDQ $64, SI
	ADDQ $128, R13
	SUBQ $16, CX
	JMP  uloop

udone:
	VZEROUPPER
	RET

// func pairSumRowsAVX2(y, x []float32, offs []int64, n int, scale float32)
TEXT ·pairSumRowsAVX2(SB), NOSPLIT, $0-84
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), AX
	MOVQ offs_base+48(FP), BX
	MOVQ offs_len+56(FP), R12
	MOVQ n+72(FP), CX
	VBROADCASTSS scale+80(FP), Y15
	XORQ R13, R13

qloop:
	CMPQ CX, $8
	JLT  qdone
	XORQ R14, R14

qrow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), SI
	ADDQ R13, SI
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	// Even and odd elements in the same (lane-crossed) order; their sum
	// is put in order by one 64-bit permutation.
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xdd, Y1, Y0, Y3
	VADDPS Y3, Y2, Y2
	VPERMPD $0xd8, Y2, Y2
	TESTQ R14, R14
	JNE   qacc
	VMOVAPS Y2, Y10
	JMP   qnext

qacc:
	VADDPS Y2, Y10, Y10

qnext:
	INCQ R14
	CMPQ R14, R12
	JLT  qrow
	VMULPS Y15, Y10, Y10
	VMOVUPS Y10, (DI)
	ADDQ $32, DI
	ADDQ $64, R13
	SUBQ $8, CX
	JMP  qloop

qdone:
	VZEROUPPER
	RET

// func dupRowsAVX2(y []float32, offs []int64, x []float32, n int, scale float32)
TEXT ·dupRowsAVX2(SB), NOSPLIT, $0-84
	MOVQ y_base+0(FP), AX
	MOVQ offs_base+24(FP), BX
	MOVQ offs_len+32(FP), R12
	MOVQ x_base+48(FP), SI
	MOVQ n+72(FP), CX
	VBROADCASTSS scale+80(FP), Y15
	XORQ R13, R13

vloop:
	CMPQ CX, $8
	JLT  vdone
	VMULPS (SI), Y15, Y0
	VUNPCKLPS Y0, Y0, Y1
	VUNPCKHPS Y0, Y0, Y2
	VPERM2F128 $0x20, Y2, Y1, Y3
	VPERM2F128 $0x31, Y2, Y1, Y4
	XORQ R14, R14

vrow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), DI
	ADDQ R13, DI
	VMOVUPS Y3, (DI)
	VMOVUPS Y4, 32(DI)
	INCQ R14
	CMPQ R14, R12
	JLT  vrow
	ADDQ $32, SI
	ADDQ $64, R13
	SUBQ $8, CX
	JMP  vloop

vdone:
	VZEROUPPER
	RET

DATA ·dupLoIdx+0(SB)/8, $0x0000000000000000
DATA ·dupLoIdx+8(SB)/8, $0x0000000100000001
DATA ·dupLoIdx+16(SB)/8, $0x0000000200000002
DATA ·dupLoIdx+24(SB)/8, $0x0000000300000003
DATA ·dupLoIdx+32(SB)/8, $0x0000000400000004
DATA ·dupLoIdx+40(SB)/8, $0x0000000500000005
DATA ·dupLoIdx+48(SB)/8, $0x0000000600000006
DATA ·dupLoIdx+56(SB)/8, $0x0000000700000007
GLOBL ·dupLoIdx(SB), RODATA|NOPTR, $64

DATA ·dupHiIdx+0(SB)/8, $0x0000000800000008
DATA ·dupHiIdx+8(SB)/8, $0x0000000900000009
DATA ·dupHiIdx+16(SB)/8, $0x0000000a0000000a
DATA ·dupHiIdx+24(SB)/8, $0x0000000b0000000b
DATA ·dupHiIdx+32(SB)/8, $0x0000000c0000000c
DATA ·dupHiIdx+40(SB)/8, $0x0000000d0000000d
DATA ·dupHiIdx+48(SB)/8, $0x0000000e0000000e
DATA ·dupHiIdx+56(SB)/8, $0x0000000f0000000f
GLOBL ·dupHiIdx(SB), RODATA|NOPTR, $64

// MCAND8 takes candidate v (indices i) into the running max Y10 (indices
// Y12) where v > max or v is NaN, PyTorch's rule.
#define MCAND8(v, i) \
	VCMPPS $0x1e, Y10, v, Y5; \
	VCMPPS $0x03, v, v, Y6; \
	VORPS Y6, Y5, Y5; \
	VBLENDVPS Y5, v, Y10, Y10; \
	VBLENDVPS Y5, i, Y12, Y12

// func maxPool2RowsAVX2(y []float32, idx []int32, x []float32, offs []int64, n int)
// maxPool2RowsAVX512 on 8 outputs a step; n is a multiple of 8.
TEXT ·maxPool2RowsAVX2(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ idx_base+24(FP), R11
	MOVQ x_base+48(FP), AX
	MOVQ offs_base+72(FP), BX
	MOVQ offs_len+80(FP), R12
	MOVQ n+96(FP), CX
	VMOVDQU ·evenIdx(SB), Y14
	MOVL $16, R9
	MOVQ R9, X15
	VPBROADCASTD X15, Y15
	MOVL $1, R9
	MOVQ R9, X13
	VPBROADCASTD X13, Y13
	XORQ R13, R13

xloop:
	CMPQ CX, $8
	JLT  xdone
	XORQ R14, R14

xrow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), SI
	ADDQ R13, SI
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xdd, Y1, Y0, Y0
	VPERMPD $0xd8, Y2, Y2
	VPERMPD $0xd8, Y0, Y0
	MOVQ R15, X3
	VPBROADCASTD X3, Y3
	VPADDD Y14, Y3, Y3
	VPADDD Y13, Y3, Y4
	TESTQ R14, R14
	JNE   xnext
	VMOVAPS Y2, Y10
	VMOVDQU Y3, Y12
	MCAND8(Y0, Y4)
	JMP xendrow

xnext:
	MCAND8(Y2, Y3)
	MCAND8(Y0, Y4)

xendrow:
	INCQ R14
	CMPQ R14, R12
	JLT  xrow
	VMOVUPS Y10, (DI)
	VMOVDQU Y12, (R11)
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $64, R13
	VPADDD Y15, Y14, Y14
	SUBQ $8, CX
	JMP  xloop

xdone:
	VZEROUPPER
	RET
