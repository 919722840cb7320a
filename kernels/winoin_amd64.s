//go:build !purego

#include "textflag.h"
#include "wino_amd64.h"
#include "winoin_amd64.h"

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
	STORE6(AX, Z6, Z7, Z8, Z9, Z10, Z11)

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
	BT6CONSTS

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

// LROW transforms row r of the 16 tiles (its 66 values from base, rows
// outside the image zero by the masks: K1 for the first vector, which
// drops the left padding value at the image's edge, K2 for the next
// three, K3 for the last two values) across, with B, and stores the six
// results to tmp[r][l], at (6r + l)·64 bytes.
#define LROW(base, tofs) \
	VMOVUPS.Z (base), K1, Z0; \
	VMOVUPS.Z 64(base), K2, Z1; \
	VMOVUPS.Z 128(base), K2, Z2; \
	VMOVUPS.Z 192(base), K2, Z3; \
	VMOVUPS.Z 256(base), K3, Z4; \
	DEINT; \
	VALIGND   $1, Z16, Z4, Z20; \
	VALIGND   $1, Z4, Z30, Z4; \
	VALIGND   $1, Z17, Z4, Z21; \
	BT6(Z16, Z17, Z18, Z19, Z20, Z21, Z6, Z7, Z8, Z9, Z10, Z11); \
	VMOVUPS Z6, (tofs+0)(R9); \
	VMOVUPS Z7, (tofs+64)(R9); \
	VMOVUPS Z8, (tofs+128)(R9); \
	VMOVUPS Z9, (tofs+192)(R9); \
	VMOVUPS Z10, (tofs+256)(R9); \
	VMOVUPS Z11, (tofs+320)(R9)

// func winoInRowAVX512(x *float32, base int, masks uint64, w int, v *float32, vs int, tmp *float32)
// is winoInAVX512 for 16 tiles side by side in one tile row, the first
// tile's corner (one row above and one value left of its output block) at
// x[base]. Each of the tiles' rows is 66 consecutive values, loaded
// whole and deinterleaved instead of gathered. masks holds, from bit 0
// up, 16 bits each: the first vector's lanes to load, the last two
// values' lanes, and whether the first and the last row lie inside the
// image (all ones or zero).
TEXT ·winoInRowAVX512(SB), NOSPLIT, $0-56
	MOVQ    x+0(FP), AX
	MOVQ    base+8(FP), BX
	LEAQ    (AX)(BX*4), AX
	MOVQ    masks+16(FP), R8
	MOVQ    w+24(FP), CX
	SHLQ    $2, CX
	MOVQ    v+32(FP), DI
	MOVQ    vs+40(FP), SI
	SHLQ    $2, SI
	MOVQ    tmp+48(FP), R9
	BT6CONSTS
	DEINTIDX
	VPXORD  Z30, Z30, Z30
	// K4, K5: the first vector's and the last two values' lanes; K6,
	// K7: all lanes where the first, last row is inside the image.
	KMOVW   R8, K4
	SHRQ    $16, R8
	KMOVW   R8, K5
	SHRQ    $16, R8
	KMOVW   R8, K6
	SHRQ    $16, R8
	KMOVW   R8, K7
	KXNORW  K0, K0, K2

	KANDW   K4, K6, K1
	KANDW   K5, K6, K3
	KANDW   K2, K6, K2
	LROW(AX, 0)
	KXNORW  K0, K0, K2
	KMOVW   K4, K1
	KMOVW   K5, K3
	ADDQ    CX, AX
	LROW(AX, 384)
	ADDQ    CX, AX
	LROW(AX, 768)
	ADDQ    CX, AX
	LROW(AX, 1152)
	ADDQ    CX, AX
	LROW(AX, 1536)
	ADDQ    CX, AX
	KANDW   K4, K7, K1
	KANDW   K5, K7, K3
	KANDW   K2, K7, K2
	LROW(AX, 1920)

	// Store strides: SI one point, R10 6 points, R11 18, R12 30.
	MOVQ DI, AX
	LEAQ (SI)(SI*2), R10
	ADDQ R10, R10
	LEAQ (R10)(R10*2), R11
	LEAQ (R10)(R10*4), R12
	LCOL(0)
	LCOL(64)
	LCOL(128)
	LCOL(192)
	LCOL(256)
	LCOL(320)
	VZEROUPPER
	RET
