//go:build !purego

#include "textflag.h"

// AT6 sets o0…o3 to Aᵀ·(m0…m5), as in winoout_amd64.s (Z24, Z26, Z27
// hold 4, 2 and 8; Z12…Z15 are clobbered).
#define AT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS      m2, m1, Z12; \
	VSUBPS      m2, m1, Z13; \
	VADDPS      m4, m3, Z14; \
	VSUBPS      m4, m3, Z15; \
	VADDPS      Z12, m0, o0; \
	VADDPS      Z14, o0, o0; \
	VMOVAPS     Z13, o1; \
	VFMADD231PS Z26, Z15, o1; \
	VMOVAPS     Z12, o2; \
	VFMADD231PS Z24, Z14, o2; \
	VADDPS      Z13, m5, o3; \
	VFMADD231PS Z27, Z15, o3

// SCOLUMN transforms column l of the products (R10 at point l, R11 = 6
// points, R12 = 18, R13 = 30) down its six rows into tmp[i][l], at
// (6i + l)·64 bytes past R9, and moves R10 to point l+1.
#define SCOLUMN(tofs) \
	VMOVUPS (R10), Z0; \
	VMOVUPS (R10)(R11*1), Z1; \
	VMOVUPS (R10)(R11*2), Z2; \
	VMOVUPS (R10)(R12*1), Z3; \
	VMOVUPS (R10)(R11*4), Z4; \
	VMOVUPS (R10)(R13*1), Z5; \
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	VMOVUPS Z6, (tofs+0)(R9); \
	VMOVUPS Z7, (tofs+384)(R9); \
	VMOVUPS Z8, (tofs+768)(R9); \
	VMOVUPS Z9, (tofs+1152)(R9); \
	ADDQ    SI, R10

// func winoOutSegsAVX512(m *float32, ms int, w int, bias float32, y *float32, segs *winoSegs, tmp *float32)
//
// is winoOutRowAVX512 for 16 tiles in up to four runs of consecutive
// tiles, each in one tile row: each output row's 64 interleaved values
// (tile t's output j at 4t + j) are stored, for each run, to the lanes
// of its tiles at its own place in y.
TEXT ·winoOutSegsAVX512(SB), NOSPLIT, $0-56
	MOVQ    m+0(FP), R10
	MOVQ    ms+8(FP), SI
	SHLQ    $2, SI
	MOVQ    w+16(FP), CX
	SHLQ    $2, CX
	VBROADCASTSS bias+24(FP), Z28
	MOVQ    y+32(FP), DX
	MOVQ    segs+40(FP), BX
	MOVQ    tmp+48(FP), R9
	MOVL         $0x40800000, AX
	VPBROADCASTD AX, Z24
	MOVL         $0x40000000, AX
	VPBROADCASTD AX, Z26
	MOVL         $0x41000000, AX
	VPBROADCASTD AX, Z27
	VMOVDQU32 ·winoIdx32+0(SB), Z20
	VMOVDQU32 ·winoIdx32+64(SB), Z21
	VMOVDQU64 ·winoIdx64+0(SB), Z22
	VMOVDQU64 ·winoIdx64+64(SB), Z23

	LEAQ (SI)(SI*2), R11
	ADDQ R11, R11
	LEAQ (R11)(R11*2), R12
	LEAQ (R11)(R11*4), R13
	SCOLUMN(0)
	SCOLUMN(64)
	SCOLUMN(128)
	SCOLUMN(192)
	SCOLUMN(256)
	SCOLUMN(320)

	// R8 counts the output rows, DI is the row's byte offset.
	MOVQ $4, R8
	XORQ DI, DI

row:
	VMOVUPS 0(R9), Z0
	VMOVUPS 64(R9), Z1
	VMOVUPS 128(R9), Z2
	VMOVUPS 192(R9), Z3
	VMOVUPS 256(R9), Z4
	VMOVUPS 320(R9), Z5
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)
	VADDPS    Z28, Z6, Z6
	VADDPS    Z28, Z7, Z7
	VADDPS    Z28, Z8, Z8
	VADDPS    Z28, Z9, Z9
	VMOVAPS   Z6, Z16
	VPERMT2PS Z7, Z20, Z16
	VMOVAPS   Z6, Z17
	VPERMT2PS Z7, Z21, Z17
	VMOVAPS   Z8, Z18
	VPERMT2PS Z9, Z20, Z18
	VMOVAPS   Z8, Z19
	VPERMT2PS Z9, Z21, Z19
	VMOVAPS   Z16, Z0
	VPERMT2PD Z18, Z22, Z0
	VMOVAPS   Z16, Z1
	VPERMT2PD Z18, Z23, Z1
	VMOVAPS   Z17, Z2
	VPERMT2PD Z19, Z22, Z2
	VMOVAPS   Z17, Z3
	VPERMT2PD Z19, Z23, Z3

	// The runs: n at 0(BX), byte offsets from y at 8(BX), the four
	// vectors' store masks (16 bits each) at 40(BX).
	MOVQ 0(BX), R14
	LEAQ 8(BX), R15
	LEAQ 40(BX), AX

seg:
	MOVQ   (R15), R13
	ADDQ   DX, R13
	ADDQ   DI, R13
	KMOVW  0(AX), K1
	KMOVW  2(AX), K2
	KMOVW  4(AX), K3
	KMOVW  6(AX), K4
	VMOVUPS Z0, K1, (R13)
	VMOVUPS Z1, K2, 64(R13)
	VMOVUPS Z2, K3, 128(R13)
	VMOVUPS Z3, K4, 192(R13)
	ADDQ   $8, R15
	ADDQ   $8, AX
	DECQ   R14
	JNZ    seg

	ADDQ $384, R9
	ADDQ CX, DI
	DECQ R8
	JNZ  row
	VZEROUPPER
	RET
