//go:build !purego

#include "textflag.h"

// Streaming float32 kernels for the memory-bound layers. Each handles 16
// elements per step and the tail with a lane mask, so it never touches
// memory past the end of its slices.

// TAILMASK sets K1 to the low CX bits (CX < 16).
#define TAILMASK \
	MOVL $1, R10; \
	SHLL CX, R10; \
	DECL R10; \
	KMOVW R10, K1

// func reluAVX512(dst, x []float32)
TEXT ·reluAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VPXORD Z31, Z31, Z31

rloop4:
	CMPQ CX, $64
	JLT  rloop1
	// max(0, x) with x second, so that a NaN x is passed through.
	VMAXPS (SI), Z31, Z0
	VMAXPS 64(SI), Z31, Z1
	VMAXPS 128(SI), Z31, Z2
	VMAXPS 192(SI), Z31, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  rloop4

rloop1:
	CMPQ CX, $16
	JLT  rtail
	VMAXPS (SI), Z31, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  rloop1

rtail:
	TESTQ CX, CX
	JE    rdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMAXPS Z0, Z31, Z0
	VMOVUPS Z0, K1, (DI)

rdone:
	VZEROUPPER
	RET

// func reluBackwardAVX512(dx, y, dy []float32)
// dx = dy where y > 0, else 0 (a NaN y gives 0).
TEXT ·reluBackwardAVX512(SB), NOSPLIT, $0-72
	MOVQ dx_base+0(FP), DI
	MOVQ y_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	MOVQ dx_len+8(FP), CX
	VPXORD Z31, Z31, Z31

bloop:
	CMPQ CX, $16
	JLT  btail
	VCMPPS $0x11, (SI), Z31, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  bloop

btail:
	TESTQ CX, CX
	JE    bdone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z1
	VCMPPS $0x11, Z1, Z31, K1, K2
	VMOVUPS.Z (DX), K2, Z0
	VMOVUPS Z0, K1, (DI)

bdone:
	VZEROUPPER
	RET

// func sumSqAVX512(x []float32) (sum, sumsq float64)
// Sums in float64 (8 lanes per accumulator) so that the batch statistics
// of millions of values keep float32 precision.
TEXT ·sumSqAVX512(SB), NOSPLIT, $0-40
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z2, Z2, Z2
	VXORPD Z3, Z3, Z3

sloop:
	CMPQ CX, $16
	JLT  stail
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3
	ADDQ $64, SI
	SUBQ $16, CX
	JMP  sloop

stail:
	TESTQ CX, CX
	JE    sreduce
	TAILMASK
	VMOVUPS.Z (SI), K1, Z6
	VCVTPS2PD Y6, Z4
	VEXTRACTF32X8 $1, Z6, Y7
	VCVTPS2PD Y7, Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3

sreduce:
	VADDPD Z1, Z0, Z0
	VADDPD Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, sum+24(FP)
	VEXTRACTF64X4 $1, Z2, Y3
	VADDPD Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VADDPD X3, X2, X2
	VPERMILPD $1, X2, X3
	VADDSD X3, X2, X2
	VMOVSD X2, sumsq+32(FP)
	VZEROUPPER
	RET

// func sumDotAVX512(a, b []float32) (sa, sab float64)
// sa = Σa, sab = Σa·b over len(a), in float64.
TEXT ·sumDotAVX512(SB), NOSPLIT, $0-64
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DX
	MOVQ a_len+8(FP), CX
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z2, Z2, Z2
	VXORPD Z3, Z3, Z3

dloop:
	CMPQ CX, $16
	JLT  dtail
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VCVTPS2PD (DX), Z6
	VCVTPS2PD 32(DX), Z7
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z6, Z2
	VFMADD231PD Z5, Z7, Z3
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP  dloop

dtail:
	TESTQ CX, CX
	JE    dreduce
	TAILMASK
	VMOVUPS.Z (SI), K1, Z8
	VMOVUPS.Z (DX), K1, Z9
	VCVTPS2PD Y8, Z4
	VEXTRACTF32X8 $1, Z8, Y10
	VCVTPS2PD Y10, Z5
	VCVTPS2PD Y9, Z6
	VEXTRACTF32X8 $1, Z9, Y11
	VCVTPS2PD Y11, Z7
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z6, Z2
	VFMADD231PD Z5, Z7, Z3

dreduce:
	VADDPD Z1, Z0, Z0
	VADDPD Z3, Z2, Z2
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPD Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, sa+48(FP)
	VEXTRACTF64X4 $1, Z2, Y3
	VADDPD Y3, Y2, Y2
	VEXTRACTF128 $1, Y2, X3
	VADDPD X3, X2, X2
	VPERMILPD $1, X2, X3
	VADDSD X3, X2, X2
	VMOVSD X2, sab+56(FP)
	VZEROUPPER
	RET

// func axpbAVX512(y, x []float32, a, b float32)
// y = x·a + b over len(x).
TEXT ·axpbAVX512(SB), NOSPLIT, $0-56
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS a+48(FP), Z30
	VBROADCASTSS b+52(FP), Z31

aloop4:
	CMPQ CX, $64
	JLT  aloop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VFMADD213PS Z31, Z30, Z0
	VFMADD213PS Z31, Z30, Z1
	VFMADD213PS Z31, Z30, Z2
	VFMADD213PS Z31, Z30, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  aloop4

aloop1:
	CMPQ CX, $16
	JLT  atail
	VMOVUPS (SI), Z0
	VFMADD213PS Z31, Z30, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  aloop1

atail:
	TESTQ CX, CX
	JE    adone
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VFMADD213PS Z31, Z30, Z0
	VMOVUPS Z0, K1, (DI)

adone:
	VZEROUPPER
	RET

// func axpbycAVX512(dst, u, v []float32, a, b, c float32)
// dst = u·a + v·b + c over len(u).
TEXT ·axpbycAVX512(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI
	MOVQ u_base+24(FP), SI
	MOVQ v_base+48(FP), DX
	MOVQ u_len+32(FP), CX
	VBROADCASTSS a+72(FP), Z29
	VBROADCASTSS b+76(FP), Z30
	VBROADCASTSS c+80(FP), Z31

xloop:
	CMPQ CX, $16
	JLT  xtail
	VMOVUPS (DX), Z1
	VFMADD213PS Z31, Z30, Z1
	VFMADD231PS (SI), Z29, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  xloop

xtail:
	TESTQ CX, CX
	JE    xdone
	TAILMASK
	VMOVUPS.Z (DX), K1, Z1
	VMOVUPS.Z (SI), K1, Z0
	VFMADD213PS Z31, Z30, Z1
	VFMADD231PS Z0, Z29, Z1
	VMOVUPS Z1, K1, (DI)

xdone:
	VZEROUPPER
	RET
