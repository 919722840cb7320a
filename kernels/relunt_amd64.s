//go:build !purego

#include "textflag.h"
#include "relu_amd64.h"

// NTHEAD sets AX to the elements before DI reaches a 64-byte line, at
// most CX, and K1 to that many low bits.
#define NTHEAD \
	MOVQ  DI, AX; \
	NEGQ  AX; \
	ANDQ  $63, AX; \
	SHRQ  $2, AX; \
	CMPQ  AX, CX; \
	CMOVQGT CX, AX; \
	MOVL  $1, R10; \
	MOVQ  AX, R11; \
	MOVQ  CX, R12; \
	MOVQ  R11, CX; \
	SHLL  CX, R10; \
	MOVQ  R12, CX; \
	DECL  R10; \
	KMOVW R10, K1

// func reluNTAVX512(dst, x []float32)
// is reluAVX512 with dst stored non-temporally from its first 64-byte
// line on (the values before it, and a tail of fewer than 16, through
// the cache).
TEXT ·reluNTAVX512(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   x_base+24(FP), SI
	MOVQ   x_len+32(FP), CX
	VPXORD Z31, Z31, Z31
	NTHEAD
	TESTQ  AX, AX
	JE     rloop4
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS Z0, Z31, Z0
	VMOVUPS Z0, K1, (DI)
	LEAQ   (SI)(AX*4), SI
	LEAQ   (DI)(AX*4), DI
	SUBQ   AX, CX

	RELULOOPS(VMOVNTPS, rloop4, rloop1, rtail, rdone)

rdone:
	SFENCE
	VZEROUPPER
	RET

// func reluBackwardNTAVX512(dx, y, dy []float32)
// is reluBackwardAVX512 with dx stored non-temporally from its first
// 64-byte line on.
TEXT ·reluBackwardNTAVX512(SB), NOSPLIT, $0-72
	MOVQ   dx_base+0(FP), DI
	MOVQ   y_base+24(FP), SI
	MOVQ   dy_base+48(FP), DX
	MOVQ   dx_len+8(FP), CX
	VPXORD Z31, Z31, Z31
	NTHEAD
	TESTQ  AX, AX
	JE     bloop
	VMOVUPS.Z (SI), K1, Z1
	VCMPPS $0x11, Z1, Z31, K1, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, K1, (DI)
	LEAQ   (SI)(AX*4), SI
	LEAQ   (DX)(AX*4), DX
	LEAQ   (DI)(AX*4), DI
	SUBQ   AX, CX

	RELUBACKLOOPS(VMOVNTPS, bloop, btail, bdone)

bdone:
	SFENCE
	VZEROUPPER
	RET
