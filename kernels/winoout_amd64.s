//go:build !purego

#include "textflag.h"
#include "winoout_amd64.h"

// SCATTER stores src + bias to the lanes set in R8, disp bytes past row
// base of each tile's output (offsets in Z31).
#define SCATTER(src, base, disp) \
	VADDPS      Z28, src, src; \
	KMOVW       R8, K1; \
	VSCATTERDPS src, K1, disp(base)(Z31*4)

// ROW transforms row i of tmp and stores its four outputs to base.
#define ROW(rofs, base) \
	TROW(rofs); \
	SCATTER(Z6, base, 0); \
	SCATTER(Z7, base, 4); \
	SCATTER(Z8, base, 8); \
	SCATTER(Z9, base, 12)

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
// outputs of the 16 tiles, interleaved, are 64 consecutive values, stored
// with four vector stores at base.
#define ROWC(rofs, base) \
	TROW(rofs); \
	ILEAVE; \
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
	ROWSTART
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
