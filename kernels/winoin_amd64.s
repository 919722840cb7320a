//go:build !purego

#include "textflag.h"

// BT6 sets o0…o5 to Bᵀ·(d0…d5) for F(4×4, 3×3), as winoBT6 does:
// o0 = d4 + 4d0 − 5d2, o1,2 = (d4 − 4d2) ± (d3 − 4d1),
// o3,4 = (d4 − d2) ± 2(d3 − d1), o5 = d5 + 4d1 − 5d3.
// Z24 holds 4 and Z25 5 in every lane; Z12 is clobbered.
#define BT6(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5) \
	VMOVAPS      d4, o0;  \
	VFMADD231PS  Z24, d0, o0; \
	VFNMADD231PS Z25, d2, o0; \
	VMOVAPS      d4, o1;  \
	VFNMADD231PS Z24, d2, o1; \
	VMOVAPS      d3, o2;  \
	VFNMADD231PS Z24, d1, o2; \
	VSUBPS       o2, o1, Z12; \
	VADDPS       o2, o1, o1; \
	VMOVAPS      Z12, o2; \
	VSUBPS       d2, d4, o3; \
	VSUBPS       d1, d3, o4; \
	VADDPS       o4, o4, o4; \
	VSUBPS       o4, o3, Z12; \
	VADDPS       o4, o3, o3; \
	VMOVAPS      Z12, o4; \
	VMOVAPS      d5, o5;  \
	VFMADD231PS  Z24, d1, o5; \
	VFNMADD231PS Z25, d3, o5

// GATHER loads, for the lanes set in K1, the value at disp bytes past row
// base of each tile (tile offsets in Z31) into dst, zero elsewhere.
#define GATHER(base, disp, dst) \
	VXORPS     dst, dst, dst; \
	VGATHERDPS disp(base)(Z31*4), K1, dst

// COLUMN transforms column c of the 16 tiles (disp = 4c) down its six
// rows and stores the results to tmp[k][c], at (6k + c)·64 bytes. colK
// holds the lanes whose column c lies inside the image; K3 and K4 those
// whose first and last rows do.
#define COLUMN(disp, tofs, colK) \
	KANDW  colK, K3, K1; \
	GATHER(R10, disp, Z0); \
	KMOVW  colK, K1; \
	GATHER(R11, disp, Z1); \
	KMOVW  colK, K1; \
	GATHER(R12, disp, Z2); \
	KMOVW  colK, K1; \
	GATHER(R13, disp, Z3); \
	KMOVW  colK, K1; \
	GATHER(R14, disp, Z4); \
	KANDW  colK, K4, K1; \
	GATHER(DX, disp, Z5); \
	BT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	VMOVUPS Z6, (tofs+0)(R9); \
	VMOVUPS Z7, (tofs+384)(R9); \
	VMOVUPS Z8, (tofs+768)(R9); \
	VMOVUPS Z9, (tofs+1152)(R9); \
	VMOVUPS Z10, (tofs+1536)(R9); \
	VMOVUPS Z11, (tofs+1920)(R9)

// ROW transforms row k of tmp (at rofs = 384k bytes) across and stores
// the six points ξ = 6k…6k+5 to the lanes set in K2 at AX, AX+SI, …,
// leaving AX at the next row's first point.
#define ROW(rofs) \
	VMOVUPS (rofs+0)(R9), Z0; \
	VMOVUPS (rofs+64)(R9), Z1; \
	VMOVUPS (rofs+128)(R9), Z2; \
	VMOVUPS (rofs+192)(R9), Z3; \
	VMOVUPS (rofs+256)(R9), Z4; \
	VMOVUPS (rofs+320)(R9), Z5; \
	BT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11); \
	VMOVUPS Z6, K2, (AX); \
	ADDQ    SI, AX; \
	VMOVUPS Z7, K2, (AX); \
	ADDQ    SI, AX; \
	VMOVUPS Z8, K2, (AX); \
	ADDQ    SI, AX; \
	VMOVUPS Z9, K2, (AX); \
	ADDQ    SI, AX; \
	VMOVUPS Z10, K2, (AX); \
	ADDQ    SI, AX; \
	VMOVUPS Z11, K2, (AX); \
	ADDQ    SI, AX

// func winoInAVX512(x *float32, off *int32, mask uint16, edges uint64, w int, v *float32, vs int, tmp *float32)
TEXT ·winoInAVX512(SB), NOSPLIT, $0-64
	MOVQ    x+0(FP), AX
	MOVQ    off+8(FP), BX
	MOVWLZX mask+16(FP), R8
	MOVQ    edges+24(FP), R9
	MOVQ    w+32(FP), CX
	SHLQ    $2, CX
	MOVQ    v+40(FP), DI
	MOVQ    vs+48(FP), SI
	SHLQ    $2, SI
	KMOVW   R8, K2
	VMOVDQU32.Z (BX), K2, Z31
	// K3, K4: lanes whose first, last row is inside the image; K5, K6:
	// whose first, last column is.
	KMOVW   R9, K3
	SHRQ    $16, R9
	KMOVW   R9, K4
	SHRQ    $16, R9
	KMOVW   R9, K5
	SHRQ    $16, R9
	KMOVW   R9, K6
	MOVQ    tmp+56(FP), R9
	MOVL    $0x40800000, R10
	VPBROADCASTD R10, Z24
	MOVL    $0x40a00000, R10
	VPBROADCASTD R10, Z25

	// Row bases of the tiles' six rows.
	MOVQ AX, R10
	LEAQ (R10)(CX*1), R11
	LEAQ (R11)(CX*1), R12
	LEAQ (R12)(CX*1), R13
	LEAQ (R13)(CX*1), R14
	LEAQ (R14)(CX*1), DX

	COLUMN(0, 0, K5)
	COLUMN(4, 64, K2)
	COLUMN(8, 128, K2)
	COLUMN(12, 192, K2)
	COLUMN(16, 256, K2)
	COLUMN(20, 320, K6)

	MOVQ DI, AX
	ROW(0)
	ROW(384)
	ROW(768)
	ROW(1152)
	ROW(1536)
	ROW(1920)
	VZEROUPPER
	RET
