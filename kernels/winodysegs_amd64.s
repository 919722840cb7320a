//go:build !purego

#include "textflag.h"
#include "wino_amd64.h"
#include "winoin_amd64.h"

// The fields of winoDySegs, in bytes from its start.
#define SEGS_OFFP 0
#define SEGS_OFFS 32
#define SEGS_MASKP 64
#define SEGS_MASKS 72
#define SEGS_HASS 80
#define SEGS_STORE 82

// DCOL transforms column m of tmp (at cofs = 64m bytes) down its four
// rows and stores the points ξ = 6k + m, the lanes set in K2, to AX +
// 6k·SI (R10 6 points, R11 18, R12 30), leaving AX at the next column's.
#define DCOL(cofs) \
	VMOVUPS (cofs+0)(R9), Z0; \
	VMOVUPS (cofs+384)(R9), Z1; \
	VMOVUPS (cofs+768)(R9), Z2; \
	VMOVUPS (cofs+1152)(R9), Z3; \
	A6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	VMOVUPS Z4, K2, (AX); \
	VMOVUPS Z5, K2, (AX)(R10*1); \
	VMOVUPS Z6, K2, (AX)(R10*2); \
	VMOVUPS Z7, K2, (AX)(R11*1); \
	VMOVUPS Z8, K2, (AX)(R10*4); \
	VMOVUPS Z9, K2, (AX)(R12*1); \
	ADDQ SI, AX

// func winoDySegsAVX512(dy *float32, s *winoDySegs, w int, v *float32, vs int, tmp *float32)
//
// is winoDyAVX512 for up to 16 blocks in runs of consecutive blocks, each
// in one row of blocks (see winoDySegs): each of the blocks' four rows is
// loaded as one row of 64 values, as if every lane's block lay beside the
// one before, each vector from one or two runs' places, deinterleaved,
// and transformed across; then down the columns.
TEXT ·winoDySegsAVX512(SB), NOSPLIT, $0-48
	MOVQ    dy+0(FP), R14
	MOVQ    s+8(FP), BX
	MOVQ    w+16(FP), CX
	SHLQ    $2, CX
	MOVQ    v+24(FP), DI
	MOVQ    vs+32(FP), SI
	SHLQ    $2, SI
	MOVQ    tmp+40(FP), R9
	MOVL    $0x40800000, R10
	VPBROADCASTD R10, Z24
	MOVL    $0x40000000, R10
	VPBROADCASTD R10, Z26
	MOVL    $0x41000000, R10
	VPBROADCASTD R10, Z27
	DEINTIDX
	KMOVW   SEGS_STORE(BX), K2

	// R14 is the row's start in dy, R8 counts the rows; R12, the byte
	// offset of a row's masks for SEGLOAD, is 0: every row has the same.
	MOVQ $4, R8
	XORQ R12, R12

row:
	SEGLOAD(0, 1, Z0, one0)
	SEGLOAD(1, 2, Z1, one1)
	SEGLOAD(2, 4, Z2, one2)
	SEGLOAD(3, 8, Z3, one3)
	DEINT
	A6(Z16, Z17, Z18, Z19, Z4, Z5, Z6, Z7, Z8, Z9)
	VMOVUPS Z4, 0(R9)
	VMOVUPS Z5, 64(R9)
	VMOVUPS Z6, 128(R9)
	VMOVUPS Z7, 192(R9)
	VMOVUPS Z8, 256(R9)
	VMOVUPS Z9, 320(R9)
	ADDQ    $384, R9
	ADDQ    CX, R14
	DECQ    R8
	JNZ     row

	SUBQ $1536, R9
	MOVQ DI, AX
	LEAQ (SI)(SI*2), R10
	ADDQ R10, R10
	LEAQ (R10)(R10*2), R11
	LEAQ (R10)(R10*4), R12
	DCOL(0)
	DCOL(64)
	DCOL(128)
	DCOL(192)
	DCOL(256)
	DCOL(320)
	VZEROUPPER
	RET
