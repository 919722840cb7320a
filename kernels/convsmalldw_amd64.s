//go:build !purego

#include "textflag.h"

// The 18 products of one vector step: dy rows of channels 0 and 1 in Z18
// and Z19, the 9 taps' input vectors (kh·3 + kw) in Z20–Z28; tap p of
// channel c goes to Z(9c+p).
#define DW18 \
	VFMADD231PS Z20, Z18, Z0; \
	VFMADD231PS Z20, Z19, Z9; \
	VFMADD231PS Z21, Z18, Z1; \
	VFMADD231PS Z21, Z19, Z10; \
	VFMADD231PS Z22, Z18, Z2; \
	VFMADD231PS Z22, Z19, Z11; \
	VFMADD231PS Z23, Z18, Z3; \
	VFMADD231PS Z23, Z19, Z12; \
	VFMADD231PS Z24, Z18, Z4; \
	VFMADD231PS Z24, Z19, Z13; \
	VFMADD231PS Z25, Z18, Z5; \
	VFMADD231PS Z25, Z19, Z14; \
	VFMADD231PS Z26, Z18, Z6; \
	VFMADD231PS Z26, Z19, Z15; \
	VFMADD231PS Z27, Z18, Z7; \
	VFMADD231PS Z27, Z19, Z16; \
	VFMADD231PS Z28, Z18, Z8; \
	VFMADD231PS Z28, Z19, Z17

// func convDW2x9AVX512(dy0, dy1, x []float32, planes, rows, wo, wp, plane, ldk int, acc *[288]float32)
// acc[16p+l] and acc[144+16p+l] are lane l of the sums, over the output
// positions (od, oh, ow) of planes×rows×wo, of dy0[(od·rows+oh)·wo+ow]
// and of dy1[…] times x[od·plane + oh·wp + ow + kh·ldk + kw] for tap
// p = 3·kh + kw < 9, the lanes being ow mod 16: the weight gradient of two
// output channels for a 3×3 slice of a kernel, against a zero-padded
// input x (see convsmall_amd64.go). The last ow mod 16 positions of a row
// go through a mask, so nothing past a row of dy or x is read.
TEXT ·convDW2x9AVX512(SB), NOSPLIT, $0-128
	MOVQ dy0_base+0(FP), R8
	MOVQ dy1_base+24(FP), R9
	SUBQ R8, R9
	MOVQ x_base+48(FP), SI
	MOVQ wo+88(FP), DI
	MOVQ DI, CX
	ANDQ $15, CX
	MOVL $1, R10
	SHLL CX, R10
	DECL R10
	KMOVW R10, K1
	MOVQ DI, CX
	SHRQ $4, CX
	SHLQ $6, CX
	SHLQ $2, DI
	MOVQ wp+96(FP), R13
	MOVQ ldk+112(FP), R12
	SHLQ $2, R12
	// plane+104(FP) becomes the bytes from the end of a plane's rows to
	// the next plane.
	MOVQ plane+104(FP), R10
	MOVQ rows+80(FP), DX
	IMULQ R13, DX
	SUBQ DX, R10
	SHLQ $2, R10
	MOVQ R10, plane+104(FP)
	SHLQ $2, R13

	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	MOVQ planes+72(FP), BX
	TESTQ BX, BX
	JLE  store
	CMPQ rows+80(FP), $0
	JLE  store

dwplane:
	MOVQ rows+80(FP), DX

dwrow:
	LEAQ (R8)(R9*1), R14
	LEAQ (SI)(R12*1), R10
	LEAQ (R10)(R12*1), R11
	XORQ AX, AX
	CMPQ AX, CX
	JGE  dwtail

dwvec:
	VMOVUPS (R8)(AX*1), Z18
	VMOVUPS (R14)(AX*1), Z19
	VMOVUPS (SI)(AX*1), Z20
	VMOVUPS 4(SI)(AX*1), Z21
	VMOVUPS 8(SI)(AX*1), Z22
	VMOVUPS (R10)(AX*1), Z23
	VMOVUPS 4(R10)(AX*1), Z24
	VMOVUPS 8(R10)(AX*1), Z25
	VMOVUPS (R11)(AX*1), Z26
	VMOVUPS 4(R11)(AX*1), Z27
	VMOVUPS 8(R11)(AX*1), Z28
	DW18
	ADDQ $64, AX
	CMPQ AX, CX
	JLT  dwvec

dwtail:
	KORTESTW K1, K1
	JZ   dwnext
	VMOVUPS.Z (R8)(AX*1), K1, Z18
	VMOVUPS.Z (R14)(AX*1), K1, Z19
	VMOVUPS.Z (SI)(AX*1), K1, Z20
	VMOVUPS.Z 4(SI)(AX*1), K1, Z21
	VMOVUPS.Z 8(SI)(AX*1), K1, Z22
	VMOVUPS.Z (R10)(AX*1), K1, Z23
	VMOVUPS.Z 4(R10)(AX*1), K1, Z24
	VMOVUPS.Z 8(R10)(AX*1), K1, Z25
	VMOVUPS.Z (R11)(AX*1), K1, Z26
	VMOVUPS.Z 4(R11)(AX*1), K1, Z27
	VMOVUPS.Z 8(R11)(AX*1), K1, Z28
	DW18

dwnext:
	ADDQ DI, R8
	ADDQ R13, SI
	DECQ DX
	JNZ  dwrow
	ADDQ plane+104(FP), SI
	DECQ BX
	JNZ  dwplane

store:
	MOVQ acc+120(FP), DI

	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VMOVUPS Z8, 512(DI)
	VMOVUPS Z9, 576(DI)
	VMOVUPS Z10, 640(DI)
	VMOVUPS Z11, 704(DI)
	VMOVUPS Z12, 768(DI)
	VMOVUPS Z13, 832(DI)
	VMOVUPS Z14, 896(DI)
	VMOVUPS Z15, 960(DI)
	VMOVUPS Z16, 1024(DI)
	VMOVUPS Z17, 1088(DI)
	VZEROUPPER
	RET
