//go:build !purego

#include "textflag.h"
#include "winoin_amd64.h"

// The fields of winoInSegs, in bytes from its start.
#define SEGS_NFIX 0
#define SEGS_OFFP 8
#define SEGS_OFFS 48
#define SEGS_FIX 88
#define SEGS_MASKP 144
#define SEGS_MASKS 174
#define SEGS_FIXMASK 204
#define SEGS_HASS 246
#define SEGS_KEEP 248
#define SEGS_STORE 250

// LCOLK is LCOL with the stores masked by K2.
#define LCOLK(cofs) \
	VMOVUPS (cofs+0)(R9), Z0; \
	VMOVUPS (cofs+384)(R9), Z1; \
	VMOVUPS (cofs+768)(R9), Z2; \
	VMOVUPS (cofs+1152)(R9), Z3; \
	VMOVUPS (cofs+1536)(R9), Z4; \
	VMOVUPS (cofs+1920)(R9), Z5; \
	BT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	VMOVUPS Z6, K2, (AX); \
	VMOVUPS Z7, K2, (AX)(R10*1); \
	VMOVUPS Z8, K2, (AX)(R10*2); \
	VMOVUPS Z9, K2, (AX)(R11*1); \
	VMOVUPS Z10, K2, (AX)(R10*4); \
	VMOVUPS Z11, K2, (AX)(R12*1); \
	ADDQ SI, AX

// func winoInSegsAVX512(x *float32, s *winoInSegs, w int, v *float32, vs int, tmp *float32)
//
// is winoInRowAVX512 for up to 16 tiles in runs of consecutive tiles,
// each in one tile row (see winoInSegs): each of the tiles' six rows is
// loaded as one row of 66 values, as if every lane's tile lay beside the
// one before, each vector from one or two runs' places, deinterleaved
// once, and the last tile of each run but the last given its fifth
// value, which that row puts in the next run's place, from its own.
TEXT ·winoInSegsAVX512(SB), NOSPLIT, $0-48
	MOVQ    x+0(FP), AX
	MOVQ    s+8(FP), BX
	MOVQ    w+16(FP), CX
	SHLQ    $2, CX
	MOVQ    v+24(FP), DI
	MOVQ    vs+32(FP), SI
	SHLQ    $2, SI
	MOVQ    tmp+40(FP), R9
	BT6CONSTS
	DEINTIDX
	VPXORD  Z30, Z30, Z30
	KMOVW   SEGS_KEEP(BX), K6
	KMOVW   SEGS_STORE(BX), K2

	// R14 is the row's start in x, R8 counts the rows, R12 and R11 are
	// the byte offsets of the row's masks (first, middle or last row) in
	// maskP and maskS, and in fixMask.
	MOVQ AX, R14
	XORQ R8, R8
	XORQ R12, R12
	XORQ R11, R11

row:
	SEGLOAD(0, 1, Z0, one0)
	SEGLOAD(1, 2, Z1, one1)
	SEGLOAD(2, 4, Z2, one2)
	SEGLOAD(3, 8, Z3, one3)
	SEGLOAD(4, 16, Z4, one4)
	DEINT
	VALIGND $1, Z16, Z4, Z20
	VALIGND $1, Z4, Z30, Z4
	VALIGND $1, Z17, Z4, Z21

	// The fifth and sixth values of the runs' last tiles but the last
	// run's (the lanes K6 leaves out): zero, then the fifth loaded by
	// itself where the row lies inside the image, but in runs of zeros.
	KORTESTW  K6, K6
	JCS       transform
	VMOVAPS.Z Z20, K6, Z20
	VMOVAPS.Z Z21, K6, Z21
	MOVQ      SEGS_NFIX(BX), DX
	LEAQ      SEGS_FIXMASK(BX)(R11*1), R10
	XORQ      R15, R15
	JMP       fixtest

fix:
	KMOVW   (R10)(R15*2), K1
	MOVQ    SEGS_FIX(BX)(R15*8), R13
	VMOVUPS (R14)(R13*1), K1, Z20
	INCQ    R15

fixtest:
	CMPQ R15, DX
	JLT  fix

transform:
	BT6(Z16, Z17, Z18, Z19, Z20, Z21, Z6, Z7, Z8, Z9, Z10, Z11)
	VMOVUPS Z6, 0(R9)
	VMOVUPS Z7, 64(R9)
	VMOVUPS Z8, 128(R9)
	VMOVUPS Z9, 192(R9)
	VMOVUPS Z10, 256(R9)
	VMOVUPS Z11, 320(R9)
	ADDQ    $384, R9
	ADDQ    CX, R14
	INCQ    R8
	MOVQ    $10, R12
	MOVQ    $14, R11
	CMPQ    R8, $5
	JNE     next
	MOVQ    $20, R12
	MOVQ    $28, R11

next:
	CMPQ R8, $6
	JLT  row

	// Down the columns. Store strides: SI one point, R10 6 points, R11
	// 18, R12 30.
	SUBQ $2304, R9
	MOVQ DI, AX
	LEAQ (SI)(SI*2), R10
	ADDQ R10, R10
	LEAQ (R10)(R10*2), R11
	LEAQ (R10)(R10*4), R12
	LCOLK(0)
	LCOLK(64)
	LCOLK(128)
	LCOLK(192)
	LCOLK(256)
	LCOLK(320)
	VZEROUPPER
	RET
