//go:build !purego

#include "textflag.h"

// The AVX2+FMA twins of the streaming kernels of mem_amd64.s, for CPUs
// without AVX-512: 8 elements per vector, and the tail through a lane
// mask (VMASKMOVPS), so that no kernel touches memory past its slices.

// TAIL8 sets Y13 to a mask of the low CX lanes (0 < CX < 8).
#define TAIL8 \
	MOVQ $8, R10; \
	SUBQ CX, R10; \
	LEAQ ·memTail8(SB), R11; \
	VMOVDQU (R11)(R10*4), Y13

// func reluAVX2(dst, x []float32)
TEXT ·reluAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VXORPS Y15, Y15, Y15

rloop4:
	CMPQ CX, $32
	JLT  rloop1
	// max(0, x) with x second, so that a NaN x is passed through.
	VMAXPS (SI), Y15, Y0
	VMAXPS 32(SI), Y15, Y1
	VMAXPS 64(SI), Y15, Y2
	VMAXPS 96(SI), Y15, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  rloop4

rloop1:
	CMPQ CX, $8
	JLT  rtail
	VMAXPS (SI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  rloop1

rtail:
	TESTQ CX, CX
	JE    rdone
	TAIL8
	VMASKMOVPS (SI), Y13, Y0
	VMAXPS Y0, Y15, Y0
	VMASKMOVPS Y0, Y13, (DI)

rdone:
	VZEROUPPER
	RET

// func reluBackwardAVX2(dx, y, dy []float32)
// dx = dy where y > 0, else 0 (a NaN y gives 0).
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ dx_base+0(FP), DI
	MOVQ y_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	MOVQ dx_len+8(FP), CX
	VXORPS Y15, Y15, Y15

bloop:
	CMPQ CX, $16
	JLT  bloop1
	VCMPPS $0x11, (SI), Y15, Y1
	VCMPPS $0x11, 32(SI), Y15, Y2
	VANDPS (DX), Y1, Y0
	VANDPS 32(DX), Y2, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  bloop

bloop1:
	CMPQ CX, $8
	JLT  btail
	VCMPPS $0x11, (SI), Y15, Y1
	VANDPS (DX), Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX

btail:
	TESTQ CX, CX
	JE    bdone
	TAIL8
	VMASKMOVPS (SI), Y13, Y1
	VMASKMOVPS (DX), Y13, Y0
	VCMPPS $0x11, Y1, Y15, Y1
	VANDPS Y0, Y1, Y0
	VMASKMOVPS Y0, Y13, (DI)

bdone:
	VZEROUPPER
	RET

// func sumSqAVX2(x []float32) (sum, sumsq float64)
// Sums in float64 (4 lanes per accumulator), as sumSqAVX512.
TEXT ·sumSqAVX2(SB), NOSPLIT, $0-40
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

sloop:
	CMPQ CX, $8
	JLT  stail
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y4, Y2
	VFMADD231PD Y5, Y5, Y3
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  sloop

stail:
	TESTQ CX, CX
	JE    sreduce
	TAIL8
	VMASKMOVPS (SI), Y13, Y6
	VCVTPS2PD X6, Y4
	VEXTRACTF128 $1, Y6, X7
	VCVTPS2PD X7, Y5
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y4, Y2
	VFMADD231PD Y5, Y5, Y3

sreduce:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, sum+24(FP)
	VEXTRACTF128 $1, Y2, X3
	VADDPD X3, X2, X2
	VPERMILPD $1, X2, X3
	VADDSD X3, X2, X2
	VMOVSD X2, sumsq+32(FP)
	VZEROUPPER
	RET

// func sumDotAVX2(a, b []float32) (sa, sab float64)
// sa = Σa, sab = Σa·b over len(a), in float64.
TEXT ·sumDotAVX2(SB), NOSPLIT, $0-64
	MOVQ a_base+0(FP), SI
	MOVQ b_base+24(FP), DX
	MOVQ a_len+8(FP), CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3

dloop:
	CMPQ CX, $8
	JLT  dtail
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD (DX), Y6
	VCVTPS2PD 16(DX), Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y6, Y2
	VFMADD231PD Y5, Y7, Y3
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  dloop

dtail:
	TESTQ CX, CX
	JE    dreduce
	TAIL8
	VMASKMOVPS (SI), Y13, Y8
	VMASKMOVPS (DX), Y13, Y9
	VCVTPS2PD X8, Y4
	VEXTRACTF128 $1, Y8, X10
	VCVTPS2PD X10, Y5
	VCVTPS2PD X9, Y6
	VEXTRACTF128 $1, Y9, X11
	VCVTPS2PD X11, Y7
	VADDPD Y4, Y0, Y0
	VADDPD Y5, Y1, Y1
	VFMADD231PD Y4, Y6, Y2
	VFMADD231PD Y5, Y7, Y3

dreduce:
	VADDPD Y1, Y0, Y0
	VADDPD Y3, Y2, Y2
	VEXTRACTF128 $1, Y0, X1
	VADDPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VADDSD X1, X0, X0
	VMOVSD X0, sa+48(FP)
	VEXTRACTF128 $1, Y2, X3
	VADDPD X3, X2, X2
	VPERMILPD $1, X2, X3
	VADDSD X3, X2, X2
	VMOVSD X2, sab+56(FP)
	VZEROUPPER
	RET

// func axpbAVX2(y, x []float32, a, b float32)
// y = x·a + b over len(x).
TEXT ·axpbAVX2(SB), NOSPLIT, $0-56
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS a+48(FP), Y14
	VBROADCASTSS b+52(FP), Y15

aloop4:
	CMPQ CX, $32
	JLT  aloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VFMADD213PS Y15, Y14, Y0
	VFMADD213PS Y15, Y14, Y1
	VFMADD213PS Y15, Y14, Y2
	VFMADD213PS Y15, Y14, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  aloop4

aloop1:
	CMPQ CX, $8
	JLT  atail
	VMOVUPS (SI), Y0
	VFMADD213PS Y15, Y14, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  aloop1

atail:
	TESTQ CX, CX
	JE    adone
	TAIL8
	VMASKMOVPS (SI), Y13, Y0
	VFMADD213PS Y15, Y14, Y0
	VMASKMOVPS Y0, Y13, (DI)

adone:
	VZEROUPPER
	RET

// func axpbycAVX2(dst, u, v []float32, a, b, c float32)
// dst = u·a + v·b + c over len(u).
TEXT ·axpbycAVX2(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI
	MOVQ u_base+24(FP), SI
	MOVQ v_base+48(FP), DX
	MOVQ u_len+32(FP), CX
	VBROADCASTSS a+72(FP), Y12
	VBROADCASTSS b+76(FP), Y14
	VBROADCASTSS c+80(FP), Y15

xloop:
	CMPQ CX, $16
	JLT  xloop1
	VMOVUPS (DX), Y1
	VMOVUPS 32(DX), Y2
	VFMADD213PS Y15, Y14, Y1
	VFMADD213PS Y15, Y14, Y2
	VFMADD231PS (SI), Y12, Y1
	VFMADD231PS 32(SI), Y12, Y2
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  xloop

xloop1:
	CMPQ CX, $8
	JLT  xtail
	VMOVUPS (DX), Y1
	VFMADD213PS Y15, Y14, Y1
	VFMADD231PS (SI), Y12, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX

xtail:
	TESTQ CX, CX
	JE    xdone
	TAIL8
	VMASKMOVPS (DX), Y13, Y1
	VMASKMOVPS (SI), Y13, Y0
	VFMADD213PS Y15, Y14, Y1
	VFMADD231PS Y0, Y12, Y1
	VMASKMOVPS Y1, Y13, (DI)

xdone:
	VZEROUPPER
	RET

// func addAVX2(dst, a, b []float32)
// dst = a + b over len(a).
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

addloop4:
	CMPQ CX, $32
	JLT  addloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VADDPS 64(DX), Y2, Y2
	VADDPS 96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  addloop4

addloop1:
	CMPQ CX, $8
	JLT  addtail
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  addloop1

addtail:
	TESTQ CX, CX
	JE    adddone
	TAIL8
	VMASKMOVPS (SI), Y13, Y0
	VMASKMOVPS (DX), Y13, Y1
	VADDPS Y1, Y0, Y0
	VMASKMOVPS Y0, Y13, (DI)

adddone:
	VZEROUPPER
	RET

// func subAVX2(dst, a, b []float32)
// dst = a − b over len(a).
TEXT ·subAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

subloop4:
	CMPQ CX, $32
	JLT  subloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VSUBPS (DX), Y0, Y0
	VSUBPS 32(DX), Y1, Y1
	VSUBPS 64(DX), Y2, Y2
	VSUBPS 96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  subloop4

subloop1:
	CMPQ CX, $8
	JLT  subtail
	VMOVUPS (SI), Y0
	VSUBPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  subloop1

subtail:
	TESTQ CX, CX
	JE    subdone
	TAIL8
	VMASKMOVPS (SI), Y13, Y0
	VMASKMOVPS (DX), Y13, Y1
	VSUBPS Y1, Y0, Y0
	VMASKMOVPS Y0, Y13, (DI)

subdone:
	VZEROUPPER
	RET

// func mulAVX2(dst, a, b []float32)
// dst = a · b over len(a).
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

mulloop4:
	CMPQ CX, $32
	JLT  mulloop1
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VMULPS (DX), Y0, Y0
	VMULPS 32(DX), Y1, Y1
	VMULPS 64(DX), Y2, Y2
	VMULPS 96(DX), Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  mulloop4

mulloop1:
	CMPQ CX, $8
	JLT  multail
	VMOVUPS (SI), Y0
	VMULPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  mulloop1

multail:
	TESTQ CX, CX
	JE    muldone
	TAIL8
	VMASKMOVPS (SI), Y13, Y0
	VMASKMOVPS (DX), Y13, Y1
	VMULPS Y1, Y0, Y0
	VMASKMOVPS Y0, Y13, (DI)

muldone:
	VZEROUPPER
	RET

// Eight lanes on, then eight off: the TAIL8 mask of CX lanes starts at
// element 8 − CX.
DATA ·memTail8+0(SB)/8, $-1
DATA ·memTail8+8(SB)/8, $-1
DATA ·memTail8+16(SB)/8, $-1
DATA ·memTail8+24(SB)/8, $-1
DATA ·memTail8+32(SB)/8, $0
DATA ·memTail8+40(SB)/8, $0
DATA ·memTail8+48(SB)/8, $0
DATA ·memTail8+56(SB)/8, $0
GLOBL ·memTail8(SB), RODATA|NOPTR, $64
