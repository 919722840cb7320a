//go:build !purego

#include "textflag.h"

// AT6 sets o0…o3 to Aᵀ·(m0…m5) for F(4×4, 3×3), as winoAT6 does: with
// a, b = m1 ± m2 and c, d = m3 ± m4, o0 = m0 + a + c, o1 = b + 2d,
// o2 = a + 4c, o3 = b + 8d + m5. Z24, Z26 and Z27 hold 4, 2 and 8;
// Z12…Z15 are clobbered.
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

// COLUMN transforms column l of the products (R10 at point l, R11 = 6 rows
// of points, R12 = 3·R11, R13 = 5·R11) down its six rows and stores the
// results to tmp[i][l], at (6i + l)·64 bytes; then moves R10 to point l+1.
#define COLUMN(tofs) \
	VMOVUPS.Z (R10), K2, Z0; \
	VMOVUPS.Z (R10)(R11*1), K2, Z1; \
	VMOVUPS.Z (R10)(R11*2), K2, Z2; \
	VMOVUPS.Z (R10)(R12*1), K2, Z3; \
	VMOVUPS.Z (R10)(R11*4), K2, Z4; \
	VMOVUPS.Z (R10)(R13*1), K2, Z5; \
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9); \
	VMOVUPS Z6, (tofs+0)(R9); \
	VMOVUPS Z7, (tofs+384)(R9); \
	VMOVUPS Z8, (tofs+768)(R9); \
	VMOVUPS Z9, (tofs+1152)(R9); \
	ADDQ    SI, R10

// SCATTER stores src + bias to the lanes set in R8, disp bytes past row
// base of each tile's output (offsets in Z31).
#define SCATTER(src, base, disp) \
	VADDPS      Z28, src, src; \
	KMOVW       R8, K1; \
	VSCATTERDPS src, K1, disp(base)(Z31*4)

// TROW transforms row i of tmp (at rofs = 384i bytes) across, leaving the
// row's four outputs of the 16 tiles in Z6…Z9.
#define TROW(rofs) \
	VMOVUPS (rofs+0)(R9), Z0; \
	VMOVUPS (rofs+64)(R9), Z1; \
	VMOVUPS (rofs+128)(R9), Z2; \
	VMOVUPS (rofs+192)(R9), Z3; \
	VMOVUPS (rofs+256)(R9), Z4; \
	VMOVUPS (rofs+320)(R9), Z5; \
	AT6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9)

// ROW transforms row i of tmp and stores its four outputs to base.
#define ROW(rofs, base) \
	TROW(rofs); \
	SCATTER(Z6, base, 0); \
	SCATTER(Z7, base, 4); \
	SCATTER(Z8, base, 8); \
	SCATTER(Z9, base, 12)

// CONSTS sets Z24, Z26 and Z27 to 4, 2 and 8 (AX is clobbered).
#define CONSTS \
	MOVL         $0x40800000, AX; \
	VPBROADCASTD AX, Z24; \
	MOVL         $0x40000000, AX; \
	VPBROADCASTD AX, Z26; \
	MOVL         $0x41000000, AX; \
	VPBROADCASTD AX, Z27

// COLUMNS transforms the six columns of the products (R10 at point 0, SI
// bytes between points) into tmp.
#define COLUMNS \
	LEAQ (SI)(SI*2), R11; \
	ADDQ R11, R11; \
	LEAQ (R11)(R11*2), R12; \
	LEAQ (R11)(R11*4), R13; \
	COLUMN(0); \
	COLUMN(64); \
	COLUMN(128); \
	COLUMN(192); \
	COLUMN(256); \
	COLUMN(320)

// ROWBASES points R10…R13 at the four output rows from DI (CX bytes per row).
#define ROWBASES \
	MOVQ DI, R10; \
	LEAQ (R10)(CX*1), R11; \
	LEAQ (R11)(CX*1), R12; \
	LEAQ (R12)(CX*1), R13

// func winoOutAVX512(m *float32, ms int, off *int32, mask uint16, w int, bias float32, y *float32, tmp *float32)
TEXT ·winoOutAVX512(SB), NOSPLIT, $0-64
	MOVQ    m+0(FP), R10
	MOVQ    ms+8(FP), SI
	SHLQ    $2, SI
	MOVQ    off+16(FP), BX
	MOVWLZX mask+24(FP), R8
	MOVQ    w+32(FP), CX
	SHLQ    $2, CX
	VBROADCASTSS bias+40(FP), Z28
	MOVQ    y+48(FP), DI
	MOVQ    tmp+56(FP), R9
	KMOVW   R8, K2
	VMOVDQU32.Z (BX), K2, Z31
	CONSTS
	COLUMNS
	ROWBASES
	ROW(0, R10)
	ROW(384, R11)
	ROW(768, R12)
	ROW(1152, R13)
	VZEROUPPER
	RET

// ROWC is ROW for 16 tiles side by side in one tile row: the row's four
// outputs of the 16 tiles, interleaved (tile t's output j goes to 4t + j),
// are 64 consecutive values, stored with four vector stores at base.
// Z20…Z23 hold the interleaving indices (winoIdx32, winoIdx64).
#define ROWC(rofs, base) \
	TROW(rofs); \
	VADDPS    Z28, Z6, Z6; \
	VADDPS    Z28, Z7, Z7; \
	VADDPS    Z28, Z8, Z8; \
	VADDPS    Z28, Z9, Z9; \
	VMOVAPS   Z6, Z16; \
	VPERMT2PS Z7, Z20, Z16; \
	VMOVAPS   Z6, Z17; \
	VPERMT2PS Z7, Z21, Z17; \
	VMOVAPS   Z8, Z18; \
	VPERMT2PS Z9, Z20, Z18; \
	VMOVAPS   Z8, Z19; \
	VPERMT2PS Z9, Z21, Z19; \
	VMOVAPS   Z16, Z0; \
	VPERMT2PD Z18, Z22, Z0; \
	VMOVAPS   Z16, Z1; \
	VPERMT2PD Z18, Z23, Z1; \
	VMOVAPS   Z17, Z2; \
	VPERMT2PD Z19, Z22, Z2; \
	VMOVAPS   Z17, Z3; \
	VPERMT2PD Z19, Z23, Z3; \
	VMOVUPS   Z0, (base); \
	VMOVUPS   Z1, 64(base); \
	VMOVUPS   Z2, 128(base); \
	VMOVUPS   Z3, 192(base)

// func winoOutRowAVX512(m *float32, ms int, w int, bias float32, y *float32, tmp *float32)
TEXT ·winoOutRowAVX512(SB), NOSPLIT, $0-48
	MOVQ    m+0(FP), R10
	MOVQ    ms+8(FP), SI
	SHLQ    $2, SI
	MOVQ    w+16(FP), CX
	SHLQ    $2, CX
	VBROADCASTSS bias+24(FP), Z28
	MOVQ    y+32(FP), DI
	MOVQ    tmp+40(FP), R9
	KXNORW  K2, K2, K2
	CONSTS
	VMOVDQU32 ·winoIdx32+0(SB), Z20
	VMOVDQU32 ·winoIdx32+64(SB), Z21
	VMOVDQU64 ·winoIdx64+0(SB), Z22
	VMOVDQU64 ·winoIdx64+64(SB), Z23
	COLUMNS
	ROWBASES
	ROWC(0, R10)
	ROWC(384, R11)
	ROWC(768, R12)
	ROWC(1152, R13)
	VZEROUPPER
	RET

// winoIdx32 interleaves the first (then the last) eight values of two
// vectors; winoIdx64 the first (then the last) four pairs of two vectors.

DATA ·winoIdx32+0(SB)/4, $0
DATA ·winoIdx32+4(SB)/4, $16
DATA ·winoIdx32+8(SB)/4, $1
DATA ·winoIdx32+12(SB)/4, $17
DATA ·winoIdx32+16(SB)/4, $2
DATA ·winoIdx32+20(SB)/4, $18
DATA ·winoIdx32+24(SB)/4, $3
DATA ·winoIdx32+28(SB)/4, $19
DATA ·winoIdx32+32(SB)/4, $4
DATA ·winoIdx32+36(SB)/4, $20
DATA ·winoIdx32+40(SB)/4, $5
DATA ·winoIdx32+44(SB)/4, $21
DATA ·winoIdx32+48(SB)/4, $6
DATA ·winoIdx32+52(SB)/4, $22
DATA ·winoIdx32+56(SB)/4, $7
DATA ·winoIdx32+60(SB)/4, $23
DATA ·winoIdx32+64(SB)/4, $8
DATA ·winoIdx32+68(SB)/4, $24
DATA ·winoIdx32+72(SB)/4, $9
DATA ·winoIdx32+76(SB)/4, $25
DATA ·winoIdx32+80(SB)/4, $10
DATA ·winoIdx32+84(SB)/4, $26
DATA ·winoIdx32+88(SB)/4, $11
DATA ·winoIdx32+92(SB)/4, $27
DATA ·winoIdx32+96(SB)/4, $12
DATA ·winoIdx32+100(SB)/4, $28
DATA ·winoIdx32+104(SB)/4, $13
DATA ·winoIdx32+108(SB)/4, $29
DATA ·winoIdx32+112(SB)/4, $14
DATA ·winoIdx32+116(SB)/4, $30
DATA ·winoIdx32+120(SB)/4, $15
DATA ·winoIdx32+124(SB)/4, $31
GLOBL ·winoIdx32(SB), RODATA|NOPTR, $128

DATA ·winoIdx64+0(SB)/8, $0
DATA ·winoIdx64+8(SB)/8, $8
DATA ·winoIdx64+16(SB)/8, $1
DATA ·winoIdx64+24(SB)/8, $9
DATA ·winoIdx64+32(SB)/8, $2
DATA ·winoIdx64+40(SB)/8, $10
DATA ·winoIdx64+48(SB)/8, $3
DATA ·winoIdx64+56(SB)/8, $11
DATA ·winoIdx64+64(SB)/8, $4
DATA ·winoIdx64+72(SB)/8, $12
DATA ·winoIdx64+80(SB)/8, $5
DATA ·winoIdx64+88(SB)/8, $13
DATA ·winoIdx64+96(SB)/8, $6
DATA ·winoIdx64+104(SB)/8, $14
DATA ·winoIdx64+112(SB)/8, $7
DATA ·winoIdx64+120(SB)/8, $15
GLOBL ·winoIdx64(SB), RODATA|NOPTR, $128
