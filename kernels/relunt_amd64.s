//go:build !purego

#include "textflag.h"

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

// NTTAIL sets K1 to the low CX bits (CX < 16).
#define NTTAIL \
	MOVL  $1, R10; \
	SHLL  CX, R10; \
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

rloop4:
	CMPQ CX, $64
	JLT  rloop1
	// max(0, x) with x second, so that a NaN x is passed through.
	VMAXPS (SI), Z31, Z0
	VMAXPS 64(SI), Z31, Z1
	VMAXPS 128(SI), Z31, Z2
	VMAXPS 192(SI), Z31, Z3
	VMOVNTPS Z0, (DI)
	VMOVNTPS Z1, 64(DI)
	VMOVNTPS Z2, 128(DI)
	VMOVNTPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  rloop4

rloop1:
	CMPQ CX, $16
	JLT  rtail
	VMAXPS (SI), Z31, Z0
	VMOVNTPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  rloop1

rtail:
	TESTQ CX, CX
	JE    rdone
	NTTAIL
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS Z0, Z31, Z0
	VMOVUPS Z0, K1, (DI)

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

bloop:
	CMPQ CX, $16
	JLT  btail
	VCMPPS $0x11, (SI), Z31, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVNTPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  bloop

btail:
	TESTQ CX, CX
	JE    bdone
	NTTAIL
	VMOVUPS.Z (SI), K1, Z1
	VCMPPS $0x11, Z1, Z31, K1, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, K1, (DI)

bdone:
	SFENCE
	VZEROUPPER
	RET
