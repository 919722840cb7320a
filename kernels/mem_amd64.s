//go:build !purego

#include "textflag.h"
#include "relu_amd64.h"

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
	MOVQ   dst_base+0(FP), DI
	MOVQ   x_base+24(FP), SI
	MOVQ   x_len+32(FP), CX
	VPXORD Z31, Z31, Z31
	RELULOOPS(VMOVUPS, rloop4, rloop1, rtail, rdone)

rdone:
	VZEROUPPER
	RET

// func reluBackwardAVX512(dx, y, dy []float32)
// dx = dy where y > 0, else 0 (a NaN y gives 0).
TEXT ·reluBackwardAVX512(SB), NOSPLIT, $0-72
	MOVQ   dx_base+0(FP), DI
	MOVQ   y_base+24(FP), SI
	MOVQ   dy_base+48(FP), DX
	MOVQ   dx_len+8(FP), CX
	VPXORD Z31, Z31, Z31
	RELUBACKLOOPS(VMOVUPS, bloop, btail, bdone)

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
	VXORPD Z8, Z8, Z8
	VXORPD Z9, Z9, Z9
	VXORPD Z10, Z10, Z10
	VXORPD Z11, Z11, Z11

	// 32 values a step into eight accumulators, so that the adds'
	// latency does not bound the loop.
sloop2:
	CMPQ CX, $32
	JLT  sloop
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VCVTPS2PD 64(SI), Z6
	VCVTPS2PD 96(SI), Z7
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VADDPD Z6, Z8, Z8
	VADDPD Z7, Z9, Z9
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3
	VFMADD231PD Z6, Z6, Z10
	VFMADD231PD Z7, Z7, Z11
	ADDQ $128, SI
	SUBQ $32, CX
	JMP  sloop2

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
	VEXTRACTF64X4 $1, Z6, Y7
	VCVTPS2PD Y7, Z5
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z4, Z2
	VFMADD231PD Z5, Z5, Z3

sreduce:
	VADDPD Z8, Z0, Z0
	VADDPD Z9, Z1, Z1
	VADDPD Z10, Z2, Z2
	VADDPD Z11, Z3, Z3
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
	VXORPD Z12, Z12, Z12
	VXORPD Z13, Z13, Z13
	VXORPD Z14, Z14, Z14
	VXORPD Z15, Z15, Z15

dloop2:
	CMPQ CX, $32
	JLT  dloop
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VCVTPS2PD 64(SI), Z16
	VCVTPS2PD 96(SI), Z17
	VCVTPS2PD (DX), Z6
	VCVTPS2PD 32(DX), Z7
	VCVTPS2PD 64(DX), Z18
	VCVTPS2PD 96(DX), Z19
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VADDPD Z16, Z12, Z12
	VADDPD Z17, Z13, Z13
	VFMADD231PD Z4, Z6, Z2
	VFMADD231PD Z5, Z7, Z3
	VFMADD231PD Z16, Z18, Z14
	VFMADD231PD Z17, Z19, Z15
	ADDQ $128, SI
	ADDQ $128, DX
	SUBQ $32, CX
	JMP  dloop2

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
	VEXTRACTF64X4 $1, Z8, Y10
	VCVTPS2PD Y10, Z5
	VCVTPS2PD Y9, Z6
	VEXTRACTF64X4 $1, Z9, Y11
	VCVTPS2PD Y11, Z7
	VADDPD Z4, Z0, Z0
	VADDPD Z5, Z1, Z1
	VFMADD231PD Z4, Z6, Z2
	VFMADD231PD Z5, Z7, Z3

dreduce:
	VADDPD Z12, Z0, Z0
	VADDPD Z13, Z1, Z1
	VADDPD Z14, Z2, Z2
	VADDPD Z15, Z3, Z3
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

// func axpbAVX512(y, x []float32, a, b, slope float32)
// y = max(t, slope·t) with t = x·a + b over len(x): slope 1 is y = t, a
// slope in (0, 1) LeakyReLU fused in.
TEXT ·axpbAVX512(SB), NOSPLIT, $0-60
	MOVQ y_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	VBROADCASTSS a+48(FP), Z30
	VBROADCASTSS b+52(FP), Z31
	VBROADCASTSS slope+56(FP), Z29

aloop4:
	CMPQ CX, $64
	JLT  aloop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VFMADD213PS Z31, Z30, Z0
	VMULPS Z29, Z0, Z28
	VMAXPS Z28, Z0, Z0
	VFMADD213PS Z31, Z30, Z1
	VMULPS Z29, Z1, Z28
	VMAXPS Z28, Z1, Z1
	VFMADD213PS Z31, Z30, Z2
	VMULPS Z29, Z2, Z28
	VMAXPS Z28, Z2, Z2
	VFMADD213PS Z31, Z30, Z3
	VMULPS Z29, Z3, Z28
	VMAXPS Z28, Z3, Z3
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
	VMULPS Z29, Z0, Z28
	VMAXPS Z28, Z0, Z0
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
	VMULPS Z29, Z0, Z28
	VMAXPS Z28, Z0, Z0
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

// One window candidate for 2×2(×2) max pooling: take value v (index i)
// where v > max or v is NaN, PyTorch's rule; the max is in Z10, its index
// in Z12.
#define CAND(v, i) \
	VCMPPS $0x1e, Z10, v, K4; \
	VCMPPS $0x03, v, v, K5; \
	KORW K5, K4, K4; \
	VBLENDMPS v, Z10, K4, Z10; \
	VPBLENDMD i, Z12, K4, Z12

// func maxPool2RowsAVX512(y []float32, idx []int32, x []float32, offs []int64, n int)
// For o < n: y[o], idx[o] = the max over r < len(offs) (in order) and
// p in {0, 1} of x[offs[r]+2o+p], and its index offs[r]+2o+p.
TEXT ·maxPool2RowsAVX512(SB), NOSPLIT, $0-104
	MOVQ y_base+0(FP), DI
	MOVQ idx_base+24(FP), R11
	MOVQ x_base+48(FP), AX
	MOVQ offs_base+72(FP), BX
	MOVQ offs_len+80(FP), R12
	MOVQ n+96(FP), CX
	VMOVDQU32 ·evenIdx(SB), Z28
	VMOVDQU32 ·oddIdx(SB), Z29
	VMOVDQU32 ·evenIdx(SB), Z26
	MOVL $32, R9
	VPBROADCASTD R9, Z27
	MOVL $1, R9
	VPBROADCASTD R9, Z25
	XORQ R13, R13

mloop:
	TESTQ CX, CX
	JLE   mdone
	MOVL  $0xffff, R10
	KMOVW R10, K1
	KMOVW R10, K2
	KMOVW R10, K3
	CMPQ  CX, $16
	JGE   mrows
	// Tail of CX < 16 outputs: 2·CX inputs per row.
	MOVQ  CX, R9
	SHLQ  $1, CX
	MOVQ  $1, R10
	SHLQ  CX, R10
	DECQ  R10
	KMOVW R10, K1
	SHRQ  $16, R10
	KMOVW R10, K2
	MOVQ  R9, CX
	MOVQ  $1, R10
	SHLQ  CX, R10
	DECQ  R10
	KMOVW R10, K3

mrows:
	XORQ R14, R14

mrow:
	MOVQ (BX)(R14*8), R15
	LEAQ (AX)(R15*4), SI
	ADDQ R13, SI
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z 64(SI), K2, Z1
	VMOVAPS Z0, Z2
	VPERMT2PS Z1, Z28, Z2
	VPERMT2PS Z1, Z29, Z0
	VPBROADCASTD R15, Z3
	VPADDD Z26, Z3, Z3
	VPADDD Z25, Z3, Z4
	TESTQ R14, R14
	JNE   mnext
	VMOVAPS Z2, Z10
	VMOVDQA32 Z3, Z12
	CAND(Z0, Z4)
	JMP mendrow

mnext:
	CAND(Z2, Z3)
	CAND(Z0, Z4)

mendrow:
	INCQ R14
	CMPQ R14, R12
	JLT  mrow

	VMOVUPS Z10, K3, (DI)
	VMOVDQU32 Z12, K3, (R11)
	ADDQ $64, DI
	ADDQ $64, R11
	ADDQ $128, R13
	VPADDD Z27, Z26, Z26
	SUBQ $16, CX
	JMP  mloop

mdone:
	VZEROUPPER
	RET

DATA ·evenIdx+0(SB)/4, $0
DATA ·evenIdx+4(SB)/4, $2
DATA ·evenIdx+8(SB)/4, $4
DATA ·evenIdx+12(SB)/4, $6
DATA ·evenIdx+16(SB)/4, $8
DATA ·evenIdx+20(SB)/4, $10
DATA ·evenIdx+24(SB)/4, $12
DATA ·evenIdx+28(SB)/4, $14
DATA ·evenIdx+32(SB)/4, $16
DATA ·evenIdx+36(SB)/4, $18
DATA ·evenIdx+40(SB)/4, $20
DATA ·evenIdx+44(SB)/4, $22
DATA ·evenIdx+48(SB)/4, $24
DATA ·evenIdx+52(SB)/4, $26
DATA ·evenIdx+56(SB)/4, $28
DATA ·evenIdx+60(SB)/4, $30
GLOBL ·evenIdx(SB), RODATA|NOPTR, $64

DATA ·oddIdx+0(SB)/4, $1
DATA ·oddIdx+4(SB)/4, $3
DATA ·oddIdx+8(SB)/4, $5
DATA ·oddIdx+12(SB)/4, $7
DATA ·oddIdx+16(SB)/4, $9
DATA ·oddIdx+20(SB)/4, $11
DATA ·oddIdx+24(SB)/4, $13
DATA ·oddIdx+28(SB)/4, $15
DATA ·oddIdx+32(SB)/4, $17
DATA ·oddIdx+36(SB)/4, $19
DATA ·oddIdx+40(SB)/4, $21
DATA ·oddIdx+44(SB)/4, $23
DATA ·oddIdx+48(SB)/4, $25
DATA ·oddIdx+52(SB)/4, $27
DATA ·oddIdx+56(SB)/4, $29
DATA ·oddIdx+60(SB)/4, $31
GLOBL ·oddIdx(SB), RODATA|NOPTR, $64

// func addAVX512(dst, a, b []float32)
// dst = a + b over len(a).
TEXT ·addAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

addAVX512loop4:
	CMPQ CX, $64
	JLT  addAVX512loop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VADDPS (DX), Z0, Z0
	VADDPS 64(DX), Z1, Z1
	VADDPS 128(DX), Z2, Z2
	VADDPS 192(DX), Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DX
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  addAVX512loop4

addAVX512loop1:
	CMPQ CX, $16
	JLT  addAVX512tail
	VMOVUPS (SI), Z0
	VADDPS (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  addAVX512loop1

addAVX512tail:
	TESTQ CX, CX
	JE    addAVX512done
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)

addAVX512done:
	VZEROUPPER
	RET

// func subAVX512(dst, a, b []float32)
// dst = a − b over len(a).
TEXT ·subAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

subAVX512loop4:
	CMPQ CX, $64
	JLT  subAVX512loop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VSUBPS (DX), Z0, Z0
	VSUBPS 64(DX), Z1, Z1
	VSUBPS 128(DX), Z2, Z2
	VSUBPS 192(DX), Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DX
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  subAVX512loop4

subAVX512loop1:
	CMPQ CX, $16
	JLT  subAVX512tail
	VMOVUPS (SI), Z0
	VSUBPS (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  subAVX512loop1

subAVX512tail:
	TESTQ CX, CX
	JE    subAVX512done
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VSUBPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)

subAVX512done:
	VZEROUPPER
	RET

// func mulAVX512(dst, a, b []float32)
// dst = a · b over len(a).
TEXT ·mulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ a_base+24(FP), SI
	MOVQ b_base+48(FP), DX
	MOVQ a_len+32(FP), CX

mulAVX512loop4:
	CMPQ CX, $64
	JLT  mulAVX512loop1
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS 128(SI), Z2
	VMOVUPS 192(SI), Z3
	VMULPS (DX), Z0, Z0
	VMULPS 64(DX), Z1, Z1
	VMULPS 128(DX), Z2, Z2
	VMULPS 192(DX), Z3, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DX
	ADDQ $256, DI
	SUBQ $64, CX
	JMP  mulAVX512loop4

mulAVX512loop1:
	CMPQ CX, $16
	JLT  mulAVX512tail
	VMOVUPS (SI), Z0
	VMULPS (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  mulAVX512loop1

mulAVX512tail:
	TESTQ CX, CX
	JE    mulAVX512done
	TAILMASK
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VMULPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)

mulAVX512done:
	VZEROUPPER
	RET
