//go:build !purego

#include "textflag.h"
#include "wino_amd64.h"

// GATHER4 loads, for the lanes set in K2, the value at disp bytes past
// row base of each block (offsets in Z31) into dst, zero elsewhere.
#define GATHER4(base, disp, dst) \
	KMOVW      K2, K1; \
	VXORPS     dst, dst, dst; \
	VGATHERDPS disp(base)(Z31*4), K1, dst

// COLUMN transforms column j of the 16 blocks (disp = 4j) down its four
// rows and stores the results to tmp[k][j], at (4k + j)·64 bytes.
#define COLUMN(disp, tofs) \
	GATHER4(R10, disp, Z0); \
	GATHER4(R11, disp, Z1); \
	GATHER4(R12, disp, Z2); \
	GATHER4(R13, disp, Z3); \
	A6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	VMOVUPS Z4, (tofs+0)(R9); \
	VMOVUPS Z5, (tofs+256)(R9); \
	VMOVUPS Z6, (tofs+512)(R9); \
	VMOVUPS Z7, (tofs+768)(R9); \
	VMOVUPS Z8, (tofs+1024)(R9); \
	VMOVUPS Z9, (tofs+1280)(R9)

// ROW transforms row k of tmp (at rofs = 256k bytes) across and stores
// the six points ξ = 6k…6k+5 to the lanes set in K2 at AX, AX+SI, …,
// leaving AX at the next row's first point.
#define ROW(rofs) \
	VMOVUPS (rofs+0)(R9), Z0; \
	VMOVUPS (rofs+64)(R9), Z1; \
	VMOVUPS (rofs+128)(R9), Z2; \
	VMOVUPS (rofs+192)(R9), Z3; \
	A6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	STORE6(AX, Z4, Z5, Z6, Z7, Z8, Z9)

// func winoDyAVX512(dy *float32, off *int32, mask uint16, w int, v *float32, vs int, tmp *float32)
TEXT ·winoDyAVX512(SB), NOSPLIT, $0-56
	MOVQ    dy+0(FP), AX
	MOVQ    off+8(FP), BX
	MOVWLZX mask+16(FP), R8
	MOVQ    w+24(FP), CX
	SHLQ    $2, CX
	MOVQ    v+32(FP), DI
	MOVQ    vs+40(FP), SI
	SHLQ    $2, SI
	MOVQ    tmp+48(FP), R9
	KMOVW   R8, K2
	VMOVDQU32.Z (BX), K2, Z31
	MOVL    $0x40800000, R10
	VPBROADCASTD R10, Z24
	MOVL    $0x40000000, R10
	VPBROADCASTD R10, Z26
	MOVL    $0x41000000, R10
	VPBROADCASTD R10, Z27

	MOVQ AX, R10
	LEAQ (R10)(CX*1), R11
	LEAQ (R11)(CX*1), R12
	LEAQ (R12)(CX*1), R13

	COLUMN(0, 0)
	COLUMN(4, 64)
	COLUMN(8, 128)
	COLUMN(12, 192)

	MOVQ DI, AX
	ROW(0)
	ROW(256)
	ROW(512)
	ROW(768)
	ROW(1024)
	ROW(1280)
	VZEROUPPER
	RET
