//go:build !purego

#include "textflag.h"
#include "winoout_amd64.h"

// func winoOutSegsAVX512(m *float32, ms int, w int, bias float32, y *float32, segs *winoSegs, tmp *float32)
//
// is winoOutRowAVX512 for up to 16 tiles in up to eight runs of consecutive
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
	ROWSTART

	// R8 counts the output rows, DI is the row's byte offset.
	MOVQ $4, R8
	XORQ DI, DI

row:
	TROW(0)
	ILEAVE

	// The runs: n at 0(BX), byte offsets from y at 8(BX), the four
	// vectors' store masks (16 bits each) at 72(BX).
	MOVQ 0(BX), R14
	LEAQ 8(BX), R15
	LEAQ 72(BX), AX

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
